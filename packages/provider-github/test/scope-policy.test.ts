import { describe, expect, it } from 'vitest';
import { github } from '../src/index.js';

describe('github() scope policy for tool listing', () => {
  const provider = github();

  it('expands the classic scope hierarchy', () => {
    const expanded = provider.expandScopes?.(['repo', 'user']) ?? [];
    expect(expanded).toEqual(
      expect.arrayContaining(['repo', 'public_repo', 'repo:status', 'user', 'read:user', 'user:email']),
    );
    expect(provider.expandScopes?.(['public_repo'])).toEqual(['public_repo']);
  });

  it('does not filter by scope for tokens without scopes (GitHub App user tokens)', () => {
    expect(provider.scopeFiltering).toBe('none-when-empty');
  });
});
