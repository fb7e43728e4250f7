import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, createHarness, type Harness } from '../http/support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function call(instanceId: string, key: string, name: string, args: Record<string, unknown>) {
  const response = await h.handler.handle(
    new Request(`${BASE}/${instanceId}/mcp`, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-protocol-version': '2025-11-25',
        authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name, arguments: args },
      }),
    }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { result?: { isError?: boolean; content: Array<{ text: string }> } };
}

describe('a tool that is not listed cannot be called', () => {
  it('a tool whose scope was not granted answers as an unknown tool, without running', async () => {
    const instance = await h.seedInstance({ grantedScopes: ['read:user'] });
    const key = await h.createKey(instance.instanceId);
    const body = await call(instance.instanceId, key, 'create_issue', { title: 'x' });
    // SDK 1.x answers an unregistered tool with an isError result naming it (not a JSON-RPC error).
    expect(body.result).toEqual({
      isError: true,
      content: [{ type: 'text', text: expect.stringMatching(/Tool create_issue not found/) }],
    });
  });

  it('a write tool on a read-only instance answers as an unknown tool', async () => {
    const instance = await h.seedInstance({ config: { readOnly: true } });
    const key = await h.createKey(instance.instanceId);
    const body = await call(instance.instanceId, key, 'create_issue', { title: 'x' });
    expect(body.result?.isError).toBe(true);
    expect(body.result?.content[0]?.text).toMatch(/Tool create_issue not found/);
  });

  it('a tool outside the enabled toolsets answers as an unknown tool', async () => {
    const instance = await h.seedInstance({ config: { toolsets: ['issues'] } });
    const key = await h.createKey(instance.instanceId);
    expect((await call(instance.instanceId, key, 'get_me', {})).result?.content[0]?.text).toMatch(
      /Tool get_me not found/,
    );
    expect(
      (await call(instance.instanceId, key, 'create_issue', { title: 'ab' })).result?.isError,
    ).toBeUndefined();
  });
});
