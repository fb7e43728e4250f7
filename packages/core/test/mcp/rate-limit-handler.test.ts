import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '../../src/http/create-handler.js';
import type { RateLimitStore } from '../../src/mcp/rate-limit.js';
import { BASE, createHarness, type Harness } from '../http/support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function rpc(handler: HttpHandler, instanceId: string, key: string, method: string, params = {}) {
  const response = await handler.handle(
    new Request(`${BASE}/${instanceId}/mcp`, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-protocol-version': '2025-11-25',
        authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as {
    result: { isError?: boolean; content?: Array<{ text: string }>; tools?: unknown[] };
  };
}

async function connected() {
  const instance = await h.seedInstance();
  return { id: instance.instanceId, key: await h.createKey(instance.instanceId) };
}

const getMe = { name: 'get_me', arguments: {} };

describe('per-instance rate limit of tool calls', () => {
  it('throttles one flooding instance while another instance is unaffected, and refills with the clock', async () => {
    const handler = h.make({ toolRateLimit: { capacity: 3, refillPerSecond: 0.5 } });
    const noisy = await connected();
    const quiet = await connected();
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await rpc(handler, noisy.id, noisy.key, 'tools/call', getMe));
    expect(outcomes.map((o) => o.result.isError ?? false)).toEqual([false, false, false, true, true]);
    expect(outcomes[4]?.result.content?.[0]?.text).toBe(
      'Rate limited: too many tool calls on this connection; retry after 2 s.',
    );
    // Listing is not counted.
    expect((await rpc(handler, noisy.id, noisy.key, 'tools/list')).result.tools?.length).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      expect((await rpc(handler, quiet.id, quiet.key, 'tools/call', getMe)).result.isError).toBeUndefined();
    }
    h.clock.now += 2_000;
    expect((await rpc(handler, noisy.id, noisy.key, 'tools/call', getMe)).result.isError).toBeUndefined();
    expect((await rpc(handler, noisy.id, noisy.key, 'tools/call', getMe)).result.isError).toBe(true);
  });

  it('a failing rate-limit store lets the call through and logs a warning', async () => {
    const store: RateLimitStore = {
      take: async () => {
        throw new Error('redis down');
      },
    };
    const handler = h.make({ toolRateLimit: { capacity: 1, refillPerSecond: 1, store } });
    const { id, key } = await connected();
    expect((await rpc(handler, id, key, 'tools/call', getMe)).result.isError).toBeUndefined();
    expect(h.logs.some((entry) => entry.message === 'rate limit store failed; call allowed')).toBe(true);
  });

  it('is off by default', async () => {
    const { id, key } = await connected();
    for (let i = 0; i < 20; i++) {
      expect((await rpc(h.handler, id, key, 'tools/call', getMe)).result.isError).toBeUndefined();
    }
  });
});
