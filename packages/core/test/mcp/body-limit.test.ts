import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MCP_MAX_BODY_BYTES } from '../../src/mcp/body-limit.js';
import { BASE, createHarness, type Harness } from '../http/support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

function callWithPadding(instanceId: string, key: string, padding: number): Request {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'get_me', arguments: { pad: 'x'.repeat(padding) } },
  });
  return new Request(`${BASE}/${instanceId}/mcp`, {
    method: 'POST',
    headers: {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      'mcp-protocol-version': '2025-11-25',
      authorization: `Bearer ${key}`,
    },
    body,
  });
}

describe('MCP input size limit', () => {
  it('defaults to 1 MiB plus a 64 KiB margin for the envelope', () => {
    expect(DEFAULT_MCP_MAX_BODY_BYTES).toBe(1_114_112);
  });

  it('accepts a 1 MiB argument and refuses a body over the limit with 413 before any tool runs', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    const fits = await h.handler.handle(callWithPadding(instance.instanceId, key, 1_048_576));
    expect(fits.status).toBe(200);
    expect(((await fits.json()) as { result?: { isError?: boolean } }).result?.isError).toBeUndefined();
    const tooBig = await h.handler.handle(
      callWithPadding(instance.instanceId, key, DEFAULT_MCP_MAX_BODY_BYTES),
    );
    expect(tooBig.status).toBe(413);
  });
});
