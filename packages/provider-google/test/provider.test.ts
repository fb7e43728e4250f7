import { ConfigError } from '@org/mcp-oauth-core';
import { describe, expect, it } from 'vitest';
import { google } from '../src/index.js';

describe('google()', () => {
  it('asks for offline access and consent so Google issues a refresh token', () => {
    const provider = google();
    expect(provider.authorizationParams).toMatchObject({ access_type: 'offline', prompt: 'consent' });
    expect(provider.rotatesRefreshTokens).toBe(false);
    expect(provider.tokensExpire).toBe(true);
    expect(provider.pkce).toBe(true);
  });

  it('uses the documented endpoints by default and accepts overrides for fakes', () => {
    expect(google().endpoints).toMatchObject({
      authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
      token: 'https://oauth2.googleapis.com/token',
      revocation: 'https://oauth2.googleapis.com/revoke',
      api: 'https://www.googleapis.com',
    });
    const fake = google({ tokenUrl: 'http://127.0.0.1:9/token', apiUrl: 'http://127.0.0.1:9/' });
    expect(fake.endpoints.token).toBe('http://127.0.0.1:9/token');
    expect(fake.endpoints.api).toBe('http://127.0.0.1:9');
  });

  it('rejects a bad URL option with a ConfigError naming it', () => {
    expect(() => google({ tokenUrl: 'not a url' })).toThrow(ConfigError);
    expect(() => google({ tokenUrl: 'not a url' })).toThrow(/tokenUrl/);
  });
});
