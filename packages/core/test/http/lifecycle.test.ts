import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RefreshError } from '../../src/errors/index.js';
import type { HttpHandler } from '../../src/http/create-handler.js';
import { defineTool } from '../../src/mcp/tool.js';
import type { InstanceRecord } from '../../src/store/ports.js';
import type { TokenSource } from '../../src/tokens/source.js';
import type { TokenStatus, UnauthorizedOutcome } from '../../src/tokens/types.js';
import { ADMIN_TOKEN, BASE, createHarness, type Harness } from './support/harness.js';
import { fakeProvider, UpstreamStatusError } from './support/provider.js';
import { createStubFlow } from './support/stub-flow.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** Tokens the upstream saw, in call order. */
const seen: string[] = [];

/** Accepts only `fresh-token`; answers `status` when asked to. */
const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Fails with 401 unless the token is fresh.',
  input: z.object({ status: z.number().int().optional() }),
  output: z.object({ ok: z.boolean() }),
  annotations: { readOnlyHint: true },
  scopes: [],
  readOnly: true,
  toolset: 'context',
  handler: async (args, ctx) => {
    seen.push(ctx.accessToken);
    if (args.status !== undefined) throw new UpstreamStatusError(args.status, 'upstream says no');
    if (ctx.accessToken !== 'fresh-token') throw new UpstreamStatusError(401, 'Bad credentials');
    return { structured: { ok: true } };
  },
});

/** A token source answering `reportUnauthorized` with the scripted outcomes (an Error is thrown). */
function scripted(outcomes: Array<UnauthorizedOutcome | Error>, options: { rotate?: boolean } = {}) {
  let current = 'stale-token';
  const reports: Array<{ instanceId: string; accessToken: string; requestId: string | undefined }> = [];
  const tokens: TokenSource = {
    async getAccessToken(_instanceId, opts) {
      return {
        accessToken: current,
        tokenType: 'bearer',
        expiresAt: null,
        grantedScopes: ['read:user'],
        instance: opts?.instance as InstanceRecord,
      };
    },
    async reportUnauthorized(instanceId, opts) {
      reports.push({ instanceId, accessToken: opts.accessToken, requestId: opts.requestId });
      const next = outcomes.shift() ?? 'needs_reauth';
      if (next instanceof Error) throw next;
      if (next !== 'needs_reauth' && options.rotate !== false) current = 'fresh-token';
      return next;
    },
  };
  return { tokens, reports };
}

function handlerWith(tokens: TokenSource): HttpHandler {
  const provider = { ...fakeProvider(), tools: [whoami] };
  return h.make({ flow: createStubFlow(h.store, [provider], () => h.clock.now), tokens });
}

async function callWhoami(
  handler: HttpHandler,
  args: Record<string, unknown> = {},
): Promise<{ instanceId: string; result: { isError?: boolean; content: Array<{ text: string }> } }> {
  const instance = await h.seedInstance();
  const key = await h.createKey(instance.instanceId);
  seen.length = 0;
  const response = await handler.handle(
    new Request(`${BASE}/${instance.instanceId}/mcp`, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-protocol-version': '2025-11-25',
        authorization: `Bearer ${key}`,
        'x-request-id': 'req-401',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'whoami', arguments: args },
      }),
    }),
  );
  const body = (await response.json()) as { result: { isError?: boolean; content: Array<{ text: string }> } };
  return { instanceId: instance.instanceId, result: body.result };
}

describe('a tool whose upstream answers 401 asks tokens.reportUnauthorized', () => {
  it.each(['refreshed', 'replaced'] as const)('%s → retried once with the new token', async (outcome) => {
    const { tokens, reports } = scripted([outcome]);
    const { instanceId, result } = await callWhoami(handlerWith(tokens));
    expect(result.isError ?? false).toBe(false);
    expect(seen).toEqual(['stale-token', 'fresh-token']);
    expect(reports).toEqual([{ instanceId, accessToken: 'stale-token', requestId: 'req-401' }]);
  });

  it('needs_reauth → a reconnect message, no retry', async () => {
    const { tokens, reports } = scripted(['needs_reauth']);
    const { result } = await callWhoami(handlerWith(tokens));
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/FakeHub account must be reconnected/);
    expect(seen).toEqual(['stale-token']);
    expect(reports).toHaveLength(1);
  });

  it('a second 401 after the refresh is not reported again and asks for a reconnect', async () => {
    const { tokens, reports } = scripted(['refreshed'], { rotate: false });
    const { result } = await callWhoami(handlerWith(tokens));
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/must be reconnected/);
    expect(seen).toEqual(['stale-token', 'stale-token']);
    expect(reports).toHaveLength(1);
  });

  it('a transient refresh failure while judging the 401 says when to retry', async () => {
    const transient = new RefreshError('REFRESH_TRANSIENT', 'upstream 503', { retryAfterMs: 4_200 });
    const { tokens } = scripted([transient]);
    const { result } = await callWhoami(handlerWith(tokens));
    expect(result).toMatchObject({
      isError: true,
      content: [{ text: 'FakeHub is temporarily unavailable; retry after 5 s.' }],
    });
  });

  it('other upstream failures are not reported', async () => {
    const { tokens, reports } = scripted(['refreshed']);
    const { result } = await callWhoami(handlerWith(tokens), { status: 429 });
    expect(result.content[0]?.text).toMatch(/rate limited, retry after \d+ s/);
    expect(reports).toEqual([]);
  });

  it('never logs the rejected token', async () => {
    const { tokens } = scripted(['needs_reauth']);
    await callWhoami(handlerWith(tokens));
    const logged = JSON.stringify(h.logs);
    expect(logged).toContain('the provider rejected the access token');
    expect(logged).not.toContain('stale-token');
  });
});

describe('lifecycle data on the HTTP surface', () => {
  it('GET /health reports the host stats, also when degraded', async () => {
    const stats = { tokens: { refresh: { succeeded: 3 } }, cache: { hitRatio: 0.75 } };
    const healthy = await h.make({ stats: () => stats }).handle(new Request(`${BASE}/health`));
    expect(await healthy.json()).toMatchObject({ status: 'healthy', stats });
    const degraded = await h
      .make({
        stats: () => stats,
        healthChecks: {
          cache: async () => {
            throw new Error('redis down');
          },
        },
      })
      .handle(new Request(`${BASE}/health`));
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', stats });
  });

  it('GET /health stays healthy without stats when the stats function throws', async () => {
    const handler = h.make({
      stats: () => {
        throw new Error('boom');
      },
    });
    const response = await handler.handle(new Request(`${BASE}/health`));
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.status).toBe('healthy');
    expect(body).not.toHaveProperty('stats');
  });

  it('GET /:instanceId/status adds the token manager status (version, breakers), never a secret', async () => {
    const instance = await h.seedInstance({ grantedScopes: ['read:user'] });
    const status: TokenStatus = {
      instanceId: instance.instanceId,
      serviceName: 'fakehub',
      status: 'active',
      expiresAt: null,
      hasRefreshToken: true,
      version: 4,
      refreshAttempts: 0,
      lastRefreshAt: null,
      lastRefreshError: null,
      nextAttemptInMs: 0,
      refreshing: false,
      breakers: {
        provider: { state: 'open', retryAfterMs: 12_000 },
        instance: { state: 'closed', retryAfterMs: 0 },
      },
    };
    const tokens: TokenSource = { getAccessToken: async () => Promise.reject(new Error('unused')) };
    tokens.status = async () => status;
    const response = await h.make({ tokens }).handle(
      new Request(`${BASE}/${instance.instanceId}/status`, {
        headers: { authorization: `Bearer ${await h.createKey(instance.instanceId)}` },
      }),
    );
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      instanceId: instance.instanceId,
      status: 'active',
      scopes: ['read:user'],
      version: 4,
      hasRefreshToken: true,
      refreshing: false,
      nextAttemptInMs: 0,
      breakers: status.breakers,
    });
    expect(text).not.toContain('ciphertext');
  });

  it('POST /cache-tokens answers the reload report of the cache', async () => {
    const handler = h.make({ cache: { reload: async () => ({ reloaded: 2, failed: 1 }) } });
    const response = await handler.handle(
      new Request(`${BASE}/cache-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    expect(await response.json()).toEqual({ reloaded: 2, failed: 1 });
  });

  it('DELETE passes the service name to cache.invalidate (the row is gone by then)', async () => {
    const calls: Array<[string, string | undefined]> = [];
    const handler = h.make({
      cache: {
        reload: async () => 0,
        invalidate: async (id, service) => {
          calls.push([id, service]);
        },
      },
    });
    const instance = await h.seedInstance();
    await handler.handle(
      new Request(`${BASE}/api/v1/instances/${instance.instanceId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );
    expect(calls).toEqual([[instance.instanceId, 'fakehub']]);
  });
});
