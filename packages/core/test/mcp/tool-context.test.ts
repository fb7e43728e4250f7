import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolContextError } from '../../src/mcp/context-error.js';
import { detachedToolClient } from '../../src/mcp/tool-client.js';
import { toolResult } from '../../src/mcp/tool-content.js';
import { toolErrorMessage } from '../../src/mcp/tool-errors.js';
import { createHarness, type Harness } from '../http/support/harness.js';
import { clientToolsProvider, gates, RED_PIXEL_PNG } from './support/client-tools.js';
import { jsonOf, mcpRequest, sseReader } from './support/mcp-wire.js';

let h: Harness;
let instanceId: string;
let key: string;
beforeAll(async () => {
  h = await createHarness({ provider: clientToolsProvider() });
  const instance = await h.seedInstance({ grantedScopes: ['read:user', 'repo'] });
  instanceId = instance.instanceId;
  key = await h.createKey(instanceId);
});
afterAll(async () => {
  await h.close();
});

function call(
  name: string,
  args: Record<string, unknown> = {},
  meta?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Request {
  return mcpRequest(
    instanceId,
    key,
    {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
    },
    { headers },
  );
}

describe('rich tool results', () => {
  it('puts the text rendering first, then the tool’s image, audio, resource and resource-link blocks', async () => {
    const body = await jsonOf(await h.handler.handle(call('picture')));
    expect(body.result).toEqual({
      structuredContent: {},
      content: [
        { type: 'text', text: 'A picture and friends.' },
        { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' },
        { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' },
        { type: 'resource', resource: { uri: 'test://static-text', mimeType: 'text/plain', text: 'hi' } },
        { type: 'resource_link', uri: 'test://static-text', name: 'static_text', mimeType: 'text/plain' },
        { type: 'text', text: 'the end' },
      ],
    });
  });

  it('an invalid block fails the call (isError, generic text) and is logged with MCP_CONTENT_INVALID', async () => {
    const body = await jsonOf(
      await h.handler.handle(call('bad_picture', {}, undefined, { 'x-request-id': 'bad-pic' })),
    );
    expect(body.result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'The tool failed unexpectedly (request id bad-pic).' }],
    });
    const logged = h.logs.find(
      (entry) => entry.message === 'tool call failed' && entry.fields.requestId === 'bad-pic',
    );
    expect(logged?.fields.err).toMatchObject({
      code: 'MCP_CONTENT_INVALID',
      message: expect.stringMatching(/content\[0\].*data/),
    });
  });

  it('toolResult names the invalid block and its problem, never its data', () => {
    expect(() =>
      toolResult({ structured: {}, content: [{ type: 'video', data: 'secret' } as never] }),
    ).toThrow(/content\[0\].*type must be one of/);
    try {
      toolResult({
        structured: { a: 1 },
        content: [{ type: 'image', data: '%%secret%%', mimeType: 'image/png' }],
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ToolContextError);
      expect((error as ToolContextError).code).toBe('MCP_CONTENT_INVALID');
      expect((error as Error).message).not.toContain('%%secret%%');
    }
    expect(toolResult({ structured: { a: 1 } }).content).toEqual([{ type: 'text', text: '{\n  "a": 1\n}' }]);
  });
});

describe('streaming a call’s notifications (stateless)', () => {
  it('a call that sends nothing before its result is answered with JSON', async () => {
    const response = await h.handler.handle(call('get_me'));
    expect(response.headers.get('content-type')).toBe('application/json');
    expect((await jsonOf(response)).result?.structuredContent).toMatchObject({ login: 'octocat' });
  });

  it('log messages turn the answer into an SSE stream that carries them while the tool still runs', async () => {
    const response = await h.handler.handle(call('chatty'));
    const events = sseReader(response);
    // The tool is parked on its gate: this message can only have been streamed before the result.
    expect(await events.next()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: { step: 'started' }, logger: 'chatty' },
    });
    gates.chatty.open();
    const rest = await events.rest();
    expect(rest.map((message) => message.params?.level ?? message.id)).toEqual(['debug', 'error', 7]);
    expect(rest.at(-1)?.result).toMatchObject({ content: [{ type: 'text', text: 'done talking' }] });
  });

  it('progress is streamed with the request’s progress token, and only when it carried one', async () => {
    const response = await h.handler.handle(call('slow_job', {}, { progressToken: 'tok-1' }));
    const events = sseReader(response);
    expect(await events.next()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'tok-1', progress: 1, total: 2, message: 'halfway' },
    });
    gates.progress.open();
    const rest = await events.rest();
    expect(rest[0]?.params).toEqual({ progressToken: 'tok-1', progress: 2, total: 2 });
    expect(rest[1]?.result).toMatchObject({ content: [{ text: 'progress requested: true' }] });

    const plain = await jsonOf(await h.handler.handle(call('slow_job')));
    expect(plain.result).toMatchObject({ content: [{ text: 'progress requested: false' }] });
  });

  it('progress that does not increase fails the call', async () => {
    const body = await jsonOf(await h.handler.handle(call('backwards')));
    expect(body.result).toMatchObject({ isError: true });
    expect(
      h.logs.some(
        (entry) =>
          entry.message === 'tool call failed' &&
          (entry.fields.err as { code?: string } | undefined)?.code === 'MCP_PROGRESS_INVALID',
      ),
    ).toBe(true);
  });

  it('sampling and elicitation without a session are isError results saying a session is needed', async () => {
    for (const [name, args] of [
      ['ask_model', { prompt: 'hi' }],
      ['ask_user', {}],
    ] as const) {
      const body = await jsonOf(await h.handler.handle(call(name, args)));
      expect(body.result).toMatchObject({
        isError: true,
        content: [
          { type: 'text', text: expect.stringMatching(/needs a stateful MCP session.*Mcp-Session-Id/) },
        ],
      });
    }
  });

  it('without a session a tool sees no session id and no client capabilities', async () => {
    const body = await jsonOf(await h.handler.handle(call('who_am_i')));
    expect(body.result?.structuredContent).toMatchObject({ sessionId: null, sampling: false });
  });
});

describe('ToolContextError messages and the detached client', () => {
  it('client problems are shown to the model; tool bugs are not', () => {
    const context = { providerName: 'FakeHub', requestId: 'r1' };
    const missing = new ToolContextError(
      'MCP_CLIENT_CAPABILITY_MISSING',
      'This MCP client does not support sampling.',
    );
    expect(toolErrorMessage(missing, context)).toBe('This MCP client does not support sampling.');
    const bug = new ToolContextError('MCP_PROGRESS_INVALID', 'Progress must increase.');
    expect(toolErrorMessage(bug, context)).toBe('The tool failed unexpectedly (request id r1).');
  });

  it('detachedToolClient sends nothing and refuses server-to-client requests with MCP_SESSION_REQUIRED', async () => {
    const client = detachedToolClient();
    await expect(client.log('info', 'x')).resolves.toBeUndefined();
    await expect(client.progress(1)).resolves.toBeUndefined();
    await expect(client.resourceUpdated('test://x')).resolves.toBe(0);
    await expect(client.sample({ messages: [], maxTokens: 1 })).rejects.toMatchObject({
      code: 'MCP_SESSION_REQUIRED',
    });
    const scripted = detachedToolClient({ elicit: async () => ({ action: 'decline' }) });
    await expect(
      scripted.elicit({ message: 'm', requestedSchema: { type: 'object', properties: {} } }),
    ).resolves.toEqual({
      action: 'decline',
    });
  });
});
