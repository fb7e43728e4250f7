import { z } from 'zod';
import { defineTool } from '../../../src/mcp/tool.js';
import type { ProviderDefinition } from '../../../src/provider/types.js';
import { fakeProvider } from '../../http/support/provider.js';
import { files, staticText } from './readables.js';

/** Lets a tool pause mid-call until the test has seen what it sent so far (a semaphore, no timers). */
export interface Gate {
  /** Waits for an `open()` (or takes one made earlier). */
  wait(): Promise<void>;
  /** Lets one waiter through, now or at its next `wait()`. */
  open(): void;
}

/** Creates a closed {@link Gate}. */
export function createGate(): Gate {
  let permits = 0;
  const waiters: Array<() => void> = [];
  return {
    wait() {
      if (permits > 0) {
        permits -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    open() {
      const waiter = waiters.shift();
      if (waiter === undefined) permits += 1;
      else waiter();
    },
  };
}

/** Gates the tools below wait on between their notifications. */
export const gates = { chatty: createGate(), progress: createGate(), quiet: createGate() };

const none = z.object({});
const common = { output: none, annotations: { readOnlyHint: true }, scopes: [], readOnly: true } as const;

/** A 1×1 red PNG, base64. */
export const RED_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

const picture = defineTool({
  ...common,
  name: 'picture',
  title: 'Picture',
  description: 'Returns an image, audio, an embedded resource and a resource link.',
  input: z.object({}),
  toolset: 'media',
  handler: async () => ({
    structured: {},
    text: 'A picture and friends.',
    content: [
      { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' },
      { type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' },
      { type: 'resource', resource: { uri: 'test://static-text', mimeType: 'text/plain', text: 'hi' } },
      { type: 'resource_link', uri: 'test://static-text', name: 'static_text', mimeType: 'text/plain' },
      { type: 'text', text: 'the end' },
    ],
  }),
});

const badPicture = defineTool({
  ...common,
  name: 'bad_picture',
  title: 'Bad picture',
  description: 'Returns an image block whose data is not base64.',
  input: z.object({}),
  toolset: 'media',
  handler: async () => ({
    structured: {},
    content: [{ type: 'image', data: 'not base64 at all!', mimeType: 'image/png' }],
  }),
});

const chatty = defineTool({
  ...common,
  name: 'chatty',
  title: 'Chatty',
  description: 'Logs at debug, info and error, pausing on a gate after the first message.',
  input: z.object({}),
  toolset: 'client',
  handler: async (_args, ctx) => {
    await ctx.log('info', { step: 'started' }, 'chatty');
    await gates.chatty.wait();
    await ctx.log('debug', 'details');
    await ctx.log('error', 'something odd');
    return { structured: {}, text: 'done talking' };
  },
});

const quiet = defineTool({
  ...common,
  name: 'quiet',
  title: 'Quiet',
  description: 'Waits on a gate, sending nothing, then returns.',
  input: z.object({}),
  toolset: 'client',
  handler: async () => {
    await gates.quiet.wait();
    return { structured: {}, text: 'finally' };
  },
});

const slowJob = defineTool({
  ...common,
  name: 'slow_job',
  title: 'Slow job',
  description: 'Reports progress 1 of 2 and 2 of 2, pausing on a gate in between.',
  input: z.object({}),
  toolset: 'client',
  handler: async (_args, ctx) => {
    await ctx.progress(1, 2, 'halfway');
    if (ctx.progressRequested) await gates.progress.wait();
    await ctx.progress(2, 2);
    return { structured: {}, text: `progress requested: ${ctx.progressRequested}` };
  },
});

const backwards = defineTool({
  ...common,
  name: 'backwards',
  title: 'Backwards',
  description: 'Reports progress that goes down (a bug).',
  input: z.object({}),
  toolset: 'client',
  handler: async (_args, ctx) => {
    await ctx.progress(5);
    await ctx.progress(4);
    return { structured: {} };
  },
});

const askModel = defineTool({
  ...common,
  name: 'ask_model',
  title: 'Ask the model',
  description: "Asks the client's model and returns its text.",
  input: z.object({ prompt: z.string() }),
  output: z.object({ answer: z.string(), model: z.string() }),
  toolset: 'client',
  handler: async ({ prompt }, ctx) => {
    const result = await ctx.sample({
      messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
      maxTokens: 50,
    });
    const answer = result.content.type === 'text' ? result.content.text : result.content.type;
    return { structured: { answer, model: result.model } };
  },
});

const askUser = defineTool({
  ...common,
  name: 'ask_user',
  title: 'Ask the user',
  description: 'Asks the user for a colour (with a default) and a count.',
  input: z.object({}),
  output: z.object({ action: z.string(), content: z.record(z.string(), z.unknown()).optional() }),
  toolset: 'client',
  handler: async (_args, ctx) => {
    const result = await ctx.elicit({
      message: 'Pick a colour',
      requestedSchema: {
        type: 'object',
        properties: {
          colour: { type: 'string', enum: ['red', 'green'], default: 'red' },
          count: { type: 'integer', minimum: 1 },
        },
        required: ['colour'],
      },
    });
    return {
      structured: { action: result.action, ...(result.content ? { content: result.content } : {}) },
    };
  },
});

const touchFile = defineTool({
  ...common,
  name: 'touch_file',
  title: 'Touch a file',
  description: 'Tells subscribers that a file resource changed.',
  input: z.object({ uri: z.string() }),
  output: z.object({ notified: z.number() }),
  toolset: 'client',
  handler: async ({ uri }, ctx) => ({ structured: { notified: await ctx.resourceUpdated(uri) } }),
});

const whoAmI = defineTool({
  ...common,
  name: 'who_am_i',
  title: 'Session and capabilities',
  description: 'Returns the session id and the client capabilities the tool sees.',
  input: z.object({}),
  output: z.object({ sessionId: z.string().nullable(), sampling: z.boolean(), requestId: z.string() }),
  toolset: 'client',
  handler: async (_args, ctx) => ({
    structured: {
      sessionId: ctx.sessionId ?? null,
      sampling: ctx.clientCapabilities?.sampling !== undefined,
      requestId: ctx.requestId,
    },
  }),
});

/** {@link fakeProvider} plus tools using every `ToolContext` client capability, a resource and a template. */
export function clientToolsProvider(): ProviderDefinition {
  const base = fakeProvider();
  return {
    ...base,
    tools: [
      ...(base.tools ?? []),
      picture,
      badPicture,
      chatty,
      quiet,
      slowJob,
      backwards,
      askModel,
      askUser,
      touchFile,
      whoAmI,
    ],
    resources: [staticText],
    resourceTemplates: [files],
  };
}
