import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../../src/store/ports.js';
import { BASE, createHarness, type Harness } from '../http/support/harness.js';
import { readableProvider } from './support/readables.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ provider: readableProvider() });
});
afterAll(async () => {
  await h.close();
});

interface RpcBody {
  result?: Record<string, unknown> & {
    resources?: Array<{ uri: string; name: string }>;
    resourceTemplates?: Array<{ uriTemplate: string; name: string; title?: string }>;
    prompts?: Array<{ name: string; arguments?: Array<{ name: string; required?: boolean }> }>;
    contents?: Array<{ uri: string; text?: string; mimeType?: string }>;
    messages?: Array<{ role: string; content: { text: string } }>;
  };
  error?: { code: number; message: string };
}

async function instanceKey(config: Partial<InstanceConfig> = {}): Promise<{ id: string; key: string }> {
  const instance = await h.seedInstance({ config, grantedScopes: ['read:user', 'repo'] });
  return { id: instance.instanceId, key: await h.createKey(instance.instanceId) };
}

async function rpc(
  target: { id: string; key: string },
  method: string,
  params: object = {},
): Promise<RpcBody> {
  const response = await h.handler.handle(
    new Request(`${BASE}/${target.id}/mcp`, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-protocol-version': '2025-11-25',
        authorization: `Bearer ${target.key}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method, params }),
    }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as RpcBody;
}

describe('resources', () => {
  it('resources/list shows the granted resources only; templates are listed apart', async () => {
    const target = await instanceKey();
    const list = await rpc(target, 'resources/list');
    expect(list.result?.resources?.map((resource) => resource.uri)).toEqual(['test://static-text']);
    const templates = await rpc(target, 'resources/templates/list');
    expect(templates.result?.resourceTemplates).toEqual([
      expect.objectContaining({
        name: 'files',
        title: 'Files',
        uriTemplate: 'files://{owner}/{repo}/contents{/path*}',
        mimeType: 'application/json',
      }),
    ]);
  });

  it('resources/read of a static resource runs with the instance context', async () => {
    const target = await instanceKey();
    const body = await rpc(target, 'resources/read', { uri: 'test://static-text' });
    expect(body.result?.contents).toEqual([
      { uri: 'test://static-text', mimeType: 'text/plain', text: `hello from ${target.id}` },
    ]);
  });

  it('resources/read through a template passes the variables, an exploded path as segments', async () => {
    const target = await instanceKey();
    const uri = 'files://octocat/hello/contents/src/lib/index.ts';
    const body = await rpc(target, 'resources/read', { uri });
    expect(body.result?.contents?.[0]?.uri).toBe(uri);
    expect(JSON.parse(body.result?.contents?.[0]?.text ?? '{}')).toEqual({
      owner: 'octocat',
      repo: 'hello',
      path: ['src', 'lib', 'index.ts'],
    });
  });

  it('a resource whose scope was not granted cannot be read', async () => {
    const body = await rpc(await instanceKey(), 'resources/read', { uri: 'test://org-settings' });
    // Unregistered: the SDK's own "not found" (invalid params).
    expect(body.error).toEqual({ code: -32602, message: expect.stringMatching(/not found/) });
  });

  it('an upstream 404 is a "resource not found" error (-32002)', async () => {
    const body = await rpc(await instanceKey(), 'resources/read', {
      uri: 'files://octocat/missing/contents/x',
    });
    expect(body.error?.code).toBe(-32002);
    expect(body.error?.message).toMatch(/FakeHub answered 404/);
  });

  it('a bug is an internal error with a request id and no detail', async () => {
    const body = await rpc(await instanceKey(), 'resources/read', { uri: 'files://octocat/boom/contents/x' });
    expect(body.error?.code).toBe(-32603);
    expect(body.error?.message).not.toMatch(/secret|abc123/);
    expect(body.error?.message).toMatch(/request id/i);
  });

  it('a read-only instance keeps its resources; toolsets hide the resources of other toolsets', async () => {
    const readOnly = await instanceKey({ readOnly: true });
    expect((await rpc(readOnly, 'resources/templates/list')).result?.resourceTemplates).toHaveLength(1);
    const issuesOnly = await instanceKey({ toolsets: ['issues'] });
    expect((await rpc(issuesOnly, 'resources/templates/list')).result?.resourceTemplates).toEqual([]);
    expect((await rpc(issuesOnly, 'resources/list')).result?.resources).toHaveLength(1);
  });
});

describe('prompts', () => {
  it('prompts/list lists the prompts with their arguments', async () => {
    const body = await rpc(await instanceKey(), 'prompts/list');
    expect(body.result?.prompts).toEqual([
      expect.objectContaining({ name: 'simple_prompt', description: 'A simple prompt.' }),
      expect.objectContaining({
        name: 'args_prompt',
        title: 'With arguments',
        arguments: [
          { name: 'first', description: 'First', required: true },
          { name: 'second', description: 'Second', required: true },
        ],
      }),
    ]);
  });

  it('prompts/get builds the messages, with and without arguments', async () => {
    const target = await instanceKey();
    const simple = await rpc(target, 'prompts/get', { name: 'simple_prompt' });
    expect(simple.result?.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Say hello.' } },
    ]);
    const withArgs = await rpc(target, 'prompts/get', {
      name: 'args_prompt',
      arguments: { first: 'a', second: 'b' },
    });
    expect(withArgs.result?.messages?.[0]?.content.text).toBe('first=a second=b');
  });

  it('prompts/get with a missing argument is an invalid-params error', async () => {
    const body = await rpc(await instanceKey(), 'prompts/get', {
      name: 'args_prompt',
      arguments: { first: 'a' },
    });
    expect(body.error?.code).toBe(-32602);
  });

  it('toolsets hide prompts of other toolsets', async () => {
    const body = await rpc(await instanceKey({ toolsets: ['repos'] }), 'prompts/list');
    expect(body.result?.prompts?.map((prompt) => prompt.name)).toEqual(['simple_prompt']);
  });
});

describe('logging', () => {
  it('logging/setLevel is accepted with an empty result (nothing is streamed, so nothing to filter)', async () => {
    const body = await rpc(await instanceKey(), 'logging/setLevel', { level: 'info' });
    expect(body).toMatchObject({ result: {} });
    expect(body.error).toBeUndefined();
  });
});
