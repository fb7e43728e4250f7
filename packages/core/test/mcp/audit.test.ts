import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '../../src/http/create-handler.js';
import type { AuditEvent, AuditStore } from '../../src/store/ports.js';
import { BASE, createHarness, type Harness } from '../http/support/harness.js';

let h: Harness;
let events: AuditEvent[];
let handler: HttpHandler;
let failAppend = false;

beforeAll(async () => {
  h = await createHarness();
  events = [];
  const audit: AuditStore = {
    async appendAudit(event) {
      if (failAppend) throw new Error('audit store down');
      events.push(event);
    },
    listAudit: (query) => h.store.audit.listAudit(query),
  };
  handler = h.make({ store: { ...h.store, audit }, toolRateLimit: { capacity: 2, refillPerSecond: 0.001 } });
});
afterAll(async () => {
  await h.close();
});

async function call(instanceId: string, key: string, name: string, args: Record<string, unknown>) {
  const response = await handler.handle(
    new Request(`${BASE}/${instanceId}/mcp`, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-protocol-version': '2025-11-25',
        authorization: `Bearer ${key}`,
        'x-request-id': `req-${name}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name, arguments: args },
      }),
    }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { result: { isError?: boolean } };
}

describe('an audit record per tool call', () => {
  it('records instance, tool, result, duration and request id, never the arguments', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    events.length = 0;
    await call(instance.instanceId, key, 'create_issue', { title: 'secret-title-value' });
    await call(instance.instanceId, key, 'failing', { mode: 'boom' });
    await call(instance.instanceId, key, 'get_me', {});
    expect(events.map((e) => [e.event, e.outcome, e.details.tool, e.details.result])).toEqual([
      ['tool.called', 'success', 'create_issue', 'ok'],
      ['tool.called', 'failure', 'failing', 'error'],
      ['tool.called', 'failure', 'get_me', 'rate_limited'],
    ]);
    expect(events[0]).toEqual({
      at: new Date(h.clock.now),
      instanceId: instance.instanceId,
      actor: expect.stringMatching(/^api_key:/),
      event: 'tool.called',
      outcome: 'success',
      requestId: 'req-create_issue',
      details: { tool: 'create_issue', result: 'ok', durationMs: 0 },
    });
    expect(JSON.stringify(events)).not.toContain('secret-title-value');
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('a failing audit store does not fail the call; the failure is logged', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    failAppend = true;
    try {
      expect((await call(instance.instanceId, key, 'get_me', {})).result.isError).toBeUndefined();
    } finally {
      failAppend = false;
    }
    // The append failed synchronously-rejected before the response was built, so its catch already ran.
    expect(h.logs.some((e) => e.message === 'could not append audit record')).toBe(true);
  });
});
