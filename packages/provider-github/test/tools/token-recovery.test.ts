import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubTools } from '../../src/index.js';
import { argsFor } from './cases.js';
import { type McpHarness, startMcpHarness } from './mcp-harness.js';

/**
 * Every GitHub tool through core's HTTP handler and the real token manager, against the fake GitHub over HTTP,
 * when GitHub stops accepting the access token while our side still considers it valid (8 h left).
 */
const ALL = githubTools.map((tool) => tool.name);
/** `argsFor`'s head `feature` already has pull request #6 open; the harness seeds a free branch `topic`. */
const OVERRIDES: Record<string, Record<string, unknown>> = { create_pull_request: { head: 'topic' } };

let h: McpHarness;
beforeAll(async () => {
  h = await startMcpHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A fresh instance with its own repository, and the access token core currently serves for it. */
async function prepare(prefix: string, name: string) {
  const instance = await h.connect(`${prefix}-${name.replaceAll('_', '-')}`);
  const { accessToken } = await h.replica.tokens.getAccessToken(instance.instanceId);
  return { instance, accessToken, args: { ...argsFor(name, 'octocat', instance.repo), ...OVERRIDES[name] } };
}

describe('token expired mid-call: one refresh, then the tool runs again and succeeds', () => {
  it.each(ALL)('%s', async (name) => {
    const { instance, accessToken, args } = await prepare('expired', name);
    h.tokens.fake.expireToken(accessToken);
    const refreshCalls = h.tokens.fake.state.refreshCalls;
    const requests = h.tokens.fake.state.requests.length;

    const result = await h.callTool(instance, name, args);

    expect(result.text).not.toMatch(/reconnect|failed|unavailable/);
    expect(result.isError).toBe(false);
    expect(result.structuredContent).toEqual(expect.any(Object));
    expect(h.tokens.fake.state.refreshCalls - refreshCalls).toBe(1);
    const renewed = (await h.replica.tokens.getAccessToken(instance.instanceId)).accessToken;
    expect(renewed).not.toBe(accessToken);
    expect(h.tokens.fake.isTokenLive(renewed)).toBe(true);
    const [rejected, ...retried] = h.apiTokensSince(requests);
    expect(rejected).toBe(accessToken);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((token) => token === renewed)).toBe(true);
    expect((await h.tokens.store.instances.getInstance(instance.instanceId))?.status).toBe('active');
  });
});

describe('token revoked: the result asks for a reconnect and the instance needs_reauth', () => {
  it.each(ALL)('%s', async (name) => {
    const { instance, accessToken, args } = await prepare('revoked', name);
    const refreshToken = await h.tokens.storedRefreshToken(instance.instanceId);
    expect(h.tokens.fake.revokeToken(accessToken)).toBe(true);
    const refreshCalls = h.tokens.fake.state.refreshCalls;
    const requests = h.tokens.fake.state.requests.length;

    const result = await h.callTool(instance, name, args);

    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^This GitHub account must be reconnected/);
    for (const secret of [accessToken, refreshToken]) expect(result.text).not.toContain(secret);
    expect(result.text).not.toMatch(/gh[a-z]_/);
    expect(h.tokens.fake.state.refreshCalls - refreshCalls).toBe(1);
    expect(h.apiTokensSince(requests)).toEqual([accessToken]);
    expect((await h.tokens.store.instances.getInstance(instance.instanceId))?.status).toBe('needs_reauth');
  });
});
