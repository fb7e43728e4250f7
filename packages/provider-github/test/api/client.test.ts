import { type FakeGitHub, startFakeGitHub } from '@org/mcp-oauth-testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, GitHubApiError, type GitHubClientOptions } from '../../src/index.js';

let gh: FakeGitHub;
let token: string;
let delays: number[];
beforeEach(async () => {
  gh = await startFakeGitHub();
  token = gh.issueToken({ scopes: ['repo'] }).access_token;
  delays = [];
});
afterEach(async () => {
  await gh.close();
});

function client(overrides: Partial<GitHubClientOptions> = {}) {
  return createGitHubClient({
    apiUrl: gh.apiUrl,
    accessToken: token,
    fetch: (url, init) => fetch(url, init),
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  });
}

describe('GitHub client', () => {
  it('sends User-Agent, Accept, API version and Bearer token to the GHES base path', async () => {
    const { data, status } = await client().request<{ login: string }>('GET', '/user');
    expect(status).toBe(200);
    expect(data.login).toBe('octocat');
    const sent = gh.state.requests.at(-1);
    expect(sent?.url).toBe('/api/v3/user');
    expect(sent?.headers).toMatchObject({
      'user-agent': 'mcp-oauth',
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      authorization: `Bearer ${token}`,
    });
  });

  it('sends JSON bodies and drops undefined query parameters', async () => {
    gh.fixtures.addRepo({ owner: 'octocat', name: 'r' });
    await client().request('POST', '/repos/octocat/r/issues', {
      body: { title: 'T' },
      query: { a: 1, b: undefined },
    });
    const sent = gh.state.requests.at(-1);
    expect(sent?.url).toBe('/api/v3/repos/octocat/r/issues?a=1');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent?.body ?? '')).toEqual({ title: 'T' });
  });

  it('retries a GET on 5xx with jittered, growing, bounded delays', async () => {
    gh.injectFault('api', { kind: 'status', status: 502 }, 2);
    const { data } = await client().request<{ login: string }>('GET', '/user');
    expect(data.login).toBe('octocat');
    expect(delays).toEqual([150, 300]);
    expect(gh.state.calls.user).toBe(3);
  });

  it('gives up after the configured retries and reports the 5xx', async () => {
    gh.injectFault('api', { kind: 'status', status: 503 }, 5);
    const error = await client({ retry: { retries: 1 } })
      .request('GET', '/user')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', status: 503 });
    expect(delays).toHaveLength(1);
  });

  it('never retries a write, even on 5xx', async () => {
    gh.fixtures.addRepo({ owner: 'octocat', name: 'r' });
    gh.injectFault('api', { kind: 'status', status: 502 }, 2);
    const error = await client()
      .request('POST', '/repos/octocat/r/issues', { body: { title: 'T' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502 });
    expect(delays).toEqual([]);
    expect(gh.state.faults.api).toHaveLength(1);
  });

  it('retries a GET after a network failure, and maps a final one to GITHUB_UNREACHABLE', async () => {
    let failures = 1;
    const flaky: GitHubClientOptions['fetch'] = (url, init) => {
      if (failures-- > 0) return Promise.reject(new TypeError('fetch failed'));
      return fetch(url, init);
    };
    await expect(client({ fetch: flaky }).request('GET', '/user')).resolves.toMatchObject({ status: 200 });
    const down: GitHubClientOptions['fetch'] = () => Promise.reject(new TypeError('fetch failed'));
    const error = await client({ fetch: down })
      .request('GET', '/user')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({ code: 'GITHUB_UNREACHABLE' });
    expect(delays).toHaveLength(3);
  });

  it('does not retry rate limits: it reports when to retry instead', async () => {
    gh.injectFault('api', { kind: 'rate_limit', status: 403, retryAfterSeconds: 9 });
    const error = await client()
      .request('GET', '/user')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GITHUB_RATE_LIMITED', retryAfterMs: 9000 });
    expect(delays).toEqual([]);
  });

  it('stops retrying once aborted', async () => {
    const controller = new AbortController();
    gh.injectFault('api', { kind: 'status', status: 502 }, 3);
    const error = await client({
      signal: controller.signal,
      sleep: async () => {
        controller.abort();
      },
    })
      .request('GET', '/user')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GITHUB_UNREACHABLE' });
    expect(gh.state.faults.api).toHaveLength(2);
  });
});
