import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../src/index.js';

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await startFakeGitHub();
  gh.fixtures.addRepo({ owner: 'octocat', name: 'pub', files: { 'a.txt': `${'a'.repeat(100)}\n` } });
  gh.fixtures.addRepo({ owner: 'octocat', name: 'priv', private: true });
  for (let i = 1; i <= 5; i += 1) gh.fixtures.addIssue('octocat/pub', { title: `Issue ${i}` });
});
afterEach(async () => {
  await gh.close();
});

function get(path: string, token?: string): Promise<Response> {
  return fetch(`${gh.apiUrl}${path}`, {
    headers: { 'user-agent': 'test', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

describe('fake GitHub REST slice', () => {
  it('paginates with GitHub-style Link headers', async () => {
    const res = await get('/repos/octocat/pub/issues?per_page=2&page=2');
    expect(((await res.json()) as Array<{ number: number }>).map((i) => i.number)).toEqual([3, 2]);
    const link = res.headers.get('link') ?? '';
    expect(link).toContain('page=1>; rel="prev"');
    expect(link).toContain('page=3>; rel="next"');
    expect(link).toContain('page=3>; rel="last"');
    expect(link).toContain('per_page=2');
  });

  it('serves file contents as base64 wrapped at 60 characters with the git blob sha', async () => {
    const body = (await (await get('/repos/octocat/pub/contents/a.txt')).json()) as Record<string, string>;
    expect(body.encoding).toBe('base64');
    expect(body.content?.split('\n')[0]).toHaveLength(60);
    expect(Buffer.from(body.content ?? '', 'base64').toString()).toBe(`${'a'.repeat(100)}\n`);
    expect(body.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('sends scope headers, refuses a private repository without repo (403) and answers 404 like GitHub', async () => {
    const { access_token } = gh.issueToken({ scopes: ['read:user'] });
    const denied = await get('/repos/octocat/priv', access_token);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-oauth-scopes')).toBe('read:user');
    expect(denied.headers.get('x-accepted-oauth-scopes')).toBe('repo');
    const missing = await get('/repos/octocat/nope', access_token);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ message: 'Not Found' });
  });

  it('answers 401 Bad credentials for an expired token, even on public data', async () => {
    const { access_token } = gh.issueToken();
    gh.expireToken(access_token);
    const res = await get('/repos/octocat/pub', access_token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'Bad credentials' });
  });

  it('injects a secondary rate limit and a validation failure', async () => {
    gh.injectFault('api', { kind: 'secondary_rate_limit', retryAfterSeconds: 30 });
    gh.injectFault('api', { kind: 'validation_failed' });
    const limited = await get('/repos/octocat/pub');
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(((await limited.json()) as { message: string }).message).toContain('secondary rate limit');
    const invalid = await get('/repos/octocat/pub');
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({
      message: 'Validation Failed',
      errors: [{ field: 'title' }],
    });
    expect(gh.state.calls.rest).toBe(2);
  });
});
