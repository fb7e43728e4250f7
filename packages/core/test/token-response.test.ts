import { describe, expect, it } from 'vitest';
import { readTokenResponse, splitScopes } from '../src/oauth/token-response.js';
import type { ProviderDefinition } from '../src/provider/types.js';

const provider = (tokensExpire: ProviderDefinition['tokensExpire']) =>
  ({ tokensExpire }) as ProviderDefinition;
const NOW = 1_000_000;

describe('readTokenResponse', () => {
  it('computes expiry from expires_in and refresh_token_expires_in', () => {
    const issued = readTokenResponse(
      provider('per-token'),
      {
        access_token: 'a',
        token_type: 'bearer',
        expires_in: 28800,
        refresh_token: 'r',
        refresh_token_expires_in: 15897600,
        scope: 'repo read:user',
      },
      NOW,
      [],
    );
    expect(issued.expiresAt?.getTime()).toBe(NOW + 28_800_000);
    expect(issued.refreshExpiresAt?.getTime()).toBe(NOW + 15_897_600_000);
    expect(issued.refreshToken).toBe('r');
    expect(issued.grantedScopes).toEqual(['repo', 'read:user']);
  });

  it('never sets an expiry for providers whose tokens never expire', () => {
    const issued = readTokenResponse(
      provider(false),
      { access_token: 'a', token_type: 'bearer', expires_in: 3600 },
      NOW,
      ['x'],
    );
    expect(issued.expiresAt).toBeNull();
    expect(issued.refreshToken).toBeNull();
  });

  it('assumes the requested scopes when the response omits scope (RFC 6749 §5.1)', () => {
    const issued = readTokenResponse(provider(true), { access_token: 'a', token_type: 'bearer' }, NOW, [
      'email',
      'profile',
    ]);
    expect(issued.grantedScopes).toEqual(['email', 'profile']);
  });

  it('splits comma- and space-separated scopes and drops duplicates', () => {
    expect(splitScopes('repo,read:user, repo  gist')).toEqual(['repo', 'read:user', 'gist']);
    expect(splitScopes('')).toEqual([]);
  });
});
