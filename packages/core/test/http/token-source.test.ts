import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/index.js';
import { createMcpHandler } from '../../src/mcp/handler.js';
import type { AccessToken, RefreshResult } from '../../src/oauth/types.js';
import type { InstanceRecord } from '../../src/store/ports.js';
import type { TokenSource } from '../../src/tokens/source.js';
import { ADMIN_TOKEN, BASE, createHarness, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** A token source recording how the handlers call it (the token manager's shape). */
function recordingTokens() {
  const gets: Array<{ instanceId: string; instance: string | undefined; requestId: string | undefined }> = [];
  const forced: string[] = [];
  const tokens: Required<Pick<TokenSource, 'getAccessToken' | 'forceRefresh'>> = {
    async getAccessToken(instanceId, options) {
      gets.push({ instanceId, instance: options?.instance?.instanceId, requestId: options?.requestId });
      const instance =
        options?.instance ?? ((await h.store.instances.getInstance(instanceId)) as InstanceRecord);
      const token: AccessToken = {
        accessToken: `token-of-${instanceId}`,
        tokenType: 'bearer',
        expiresAt: null,
        grantedScopes: ['read:user'],
        instance,
      };
      return token;
    },
    async forceRefresh(instanceId) {
      forced.push(instanceId);
      const result: RefreshResult = {
        instanceId,
        expiresAt: new Date(Date.UTC(2026, 5, 1)),
        rotated: true,
        version: 7,
      };
      return result;
    },
  };
  return { tokens, gets, forced };
}

describe('handlers take their tokens from `tokens` (the token manager) when given', () => {
  it('MCP tool calls use tokens.getAccessToken with the already-loaded instance record', async () => {
    const { tokens, gets } = recordingTokens();
    const handler = h.make({ tokens });
    const instance = await h.seedInstance({ grantedScopes: ['read:user'] });
    const key = await h.createKey(instance.instanceId);
    const flowCalls = h.flow.calls.getAccessToken.length;
    const response = await handler.handle(
      new Request(`${BASE}/${instance.instanceId}/mcp`, {
        method: 'POST',
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'mcp-protocol-version': '2025-11-25',
          authorization: `Bearer ${key}`,
          'x-request-id': 'req-tokens-1',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'get_me', arguments: {} },
        }),
      }),
    );
    const body = (await response.json()) as { result?: { structuredContent?: unknown } };
    expect(body.result?.structuredContent).toMatchObject({ tokenSeen: true, requestId: 'req-tokens-1' });
    expect(gets).toEqual([
      { instanceId: instance.instanceId, instance: instance.instanceId, requestId: 'req-tokens-1' },
    ]);
    expect(h.flow.calls.getAccessToken.length).toBe(flowCalls);
  });

  it('POST /:instanceId/refresh goes through tokens.forceRefresh', async () => {
    const { tokens, forced } = recordingTokens();
    const handler = h.make({ tokens });
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    const response = await handler.handle(
      new Request(`${BASE}/${instance.instanceId}/refresh`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      instanceId: instance.instanceId,
      refreshed: true,
      rotated: true,
      expiresAt: '2026-06-01T00:00:00.000Z',
      version: 7,
    });
    expect(forced).toEqual([instance.instanceId]);
  });

  it('POST /cache-tokens without a cache warms through tokens.getAccessToken', async () => {
    const { tokens, gets } = recordingTokens();
    const handler = h.make({ tokens });
    const instance = await h.seedInstance();
    const response = await handler.handle(
      new Request(`${BASE}/cache-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ instanceIds: [instance.instanceId] }),
      }),
    );
    expect(await response.json()).toEqual({ reloaded: 1, failed: 0 });
    expect(gets.map((call) => call.instance)).toEqual([instance.instanceId]);
  });

  it('rejects a `tokens` option without getAccessToken', () => {
    expect(() => h.make({ tokens: {} as TokenSource })).toThrow(ConfigError);
    expect(() => createMcpHandler({ flow: h.flow, tokens: {} as TokenSource })).toThrow(ConfigError);
  });
});
