import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import {
  definePrompt,
  defineResource,
  defineResourceTemplate,
  defineTool,
  type ProviderDefinition,
} from '@org/mcp-oauth-core';
import { z } from 'zod';

/** A 1×1 red PNG, base64 (the suite's binary fixtures). */
export const RED_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** A 16-sample silent mono WAV (8 kHz, 16 bit), base64. */
export const SILENT_WAV = 'UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
const noOutput = z.object({});
const fixture = {
  output: noOutput,
  annotations: readOnly,
  scopes: [],
  readOnly: true,
  toolset: 'conformance',
} as const;

/** Waits `ms` (the scenarios ask for ~50 ms between notifications), or until the call is aborted. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

const imageContent = defineTool({
  ...fixture,
  name: 'test_image_content',
  title: 'Image content',
  description: 'Returns a 1×1 red PNG as image content (conformance fixture).',
  input: z.object({}),
  handler: async () => ({
    structured: {},
    text: 'A 1×1 red pixel.',
    content: [{ type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' }],
  }),
});

const audioContent = defineTool({
  ...fixture,
  name: 'test_audio_content',
  title: 'Audio content',
  description: 'Returns a short silent WAV as audio content (conformance fixture).',
  input: z.object({}),
  handler: async () => ({
    structured: {},
    text: 'Two milliseconds of silence.',
    content: [{ type: 'audio', data: SILENT_WAV, mimeType: 'audio/wav' }],
  }),
});

const embeddedResource = defineTool({
  ...fixture,
  name: 'test_embedded_resource',
  title: 'Embedded resource',
  description: 'Returns an embedded text resource (conformance fixture).',
  input: z.object({}),
  handler: async () => ({
    structured: {},
    text: 'An embedded resource follows.',
    content: [
      {
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      },
    ],
  }),
});

const mixedContent = defineTool({
  ...fixture,
  name: 'test_multiple_content_types',
  title: 'Mixed content',
  description: 'Returns text, an image and an embedded resource (conformance fixture).',
  input: z.object({}),
  handler: async () => ({
    structured: {},
    text: 'Multiple content types test:',
    content: [
      { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: {
          uri: 'test://mixed-content-resource',
          mimeType: 'application/json',
          text: JSON.stringify({ test: 'data', value: 123 }),
        },
      },
    ],
  }),
});

const withLogging = defineTool({
  ...fixture,
  name: 'test_tool_with_logging',
  title: 'Logs while running',
  description: 'Sends three info log messages about 50 ms apart while it runs (conformance fixture).',
  input: z.object({}),
  handler: async (_args, ctx) => {
    await ctx.log('info', 'Tool execution started');
    await pause(50, ctx.signal);
    await ctx.log('info', 'Tool processing data');
    await pause(50, ctx.signal);
    await ctx.log('info', 'Tool execution completed');
    return { structured: {}, text: 'Tool with logging executed successfully' };
  },
});

const withProgress = defineTool({
  ...fixture,
  name: 'test_tool_with_progress',
  title: 'Reports progress',
  description: 'Reports progress 0, 50 and 100 of 100 about 50 ms apart (conformance fixture).',
  input: z.object({}),
  handler: async (_args, ctx) => {
    await ctx.progress(0, 100);
    await pause(50, ctx.signal);
    await ctx.progress(50, 100);
    await pause(50, ctx.signal);
    await ctx.progress(100, 100);
    return { structured: {}, text: 'Tool with progress executed successfully' };
  },
});

const sampling = defineTool({
  ...fixture,
  name: 'test_sampling',
  title: 'Asks the client model',
  description: "Sends the prompt to the client's model (sampling/createMessage) and returns its answer.",
  input: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
  handler: async ({ prompt }, ctx) => {
    const answer = await ctx.sample({
      messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
      maxTokens: 100,
    });
    const text = answer.content.type === 'text' ? answer.content.text : `(${answer.content.type})`;
    return { structured: {}, text: `LLM response: ${text}` };
  },
});

const elicitation = defineTool({
  ...fixture,
  name: 'test_elicitation',
  title: 'Asks the user',
  description: 'Asks the user for a username and an email address (elicitation/create).',
  input: z.object({ message: z.string().describe('The message to show the user') }),
  handler: async ({ message }, ctx) => {
    const answer = await ctx.elicit({
      message,
      requestedSchema: {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" },
        },
        required: ['username', 'email'],
      },
    });
    return {
      structured: {},
      text: `User response: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`,
    };
  },
});

const elicitationDefaults = defineTool({
  ...fixture,
  name: 'test_elicitation_sep1034_defaults',
  title: 'Asks with defaults',
  description: 'Asks the user with a form whose every field has a default (SEP-1034).',
  input: z.object({}),
  handler: async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: {
            type: 'string',
            description: 'User status',
            enum: ['active', 'inactive', 'pending'],
            default: 'active',
          },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
      },
    });
    return {
      structured: {},
      text: `Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`,
    };
  },
});

const elicitationEnums = defineTool({
  ...fixture,
  name: 'test_elicitation_sep1330_enums',
  title: 'Asks with enums',
  description: 'Asks the user with the five enum shapes of SEP-1330.',
  input: z.object({}),
  handler: async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: {
            type: 'string',
            description: 'Untitled single-select',
            enum: ['option1', 'option2', 'option3'],
          },
          titledSingle: {
            type: 'string',
            description: 'Titled single-select',
            oneOf: [
              { const: 'value1', title: 'First Option' },
              { const: 'value2', title: 'Second Option' },
              { const: 'value3', title: 'Third Option' },
            ],
          },
          legacyEnum: {
            type: 'string',
            description: 'Legacy titled enum',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three'],
          },
          untitledMulti: {
            type: 'array',
            description: 'Untitled multi-select',
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          },
          titledMulti: {
            type: 'array',
            description: 'Titled multi-select',
            items: {
              anyOf: [
                { const: 'value1', title: 'First Choice' },
                { const: 'value2', title: 'Second Choice' },
                { const: 'value3', title: 'Third Choice' },
              ],
            },
          },
        },
      },
    });
    return {
      structured: {},
      text: `Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`,
    };
  },
});

const simpleText = defineTool({
  name: 'test_simple_text',
  title: 'Simple text',
  description: 'Returns a simple text response (conformance fixture).',
  input: z.object({}),
  output: noOutput,
  annotations: readOnly,
  scopes: [],
  readOnly: true,
  toolset: 'conformance',
  handler: async () => ({ structured: {}, text: 'This is a simple text response for testing.' }),
});

const errorHandling = defineTool({
  name: 'test_error_handling',
  title: 'Always fails',
  description: 'Always fails (conformance fixture): the result is isError with a message.',
  input: z.object({}),
  output: noOutput,
  annotations: readOnly,
  scopes: [],
  readOnly: true,
  toolset: 'conformance',
  handler: async () => {
    throw new Error('This tool intentionally returns an error for testing');
  },
});

const address = z.object({ street: z.string(), city: z.string() }).meta({ id: 'address' });

const jsonSchema2020 = defineTool({
  name: 'json_schema_2020_12_tool',
  title: 'JSON Schema 2020-12 features',
  description: 'Tool with JSON Schema 2020-12 features (conformance fixture).',
  input: z.strictObject({ name: z.string().optional(), address: address.optional() }),
  output: noOutput,
  annotations: readOnly,
  scopes: [],
  readOnly: true,
  toolset: 'conformance',
  handler: async (args) => ({ structured: {}, text: JSON.stringify(args) }),
});

const staticText = defineResource({
  name: 'static_text',
  uri: 'test://static-text',
  title: 'Static text',
  description: 'A static text resource (conformance fixture).',
  mimeType: 'text/plain',
  read: async (uri) => ({
    contents: [
      { uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' },
    ],
  }),
});

const watched = defineResource({
  name: 'watched_resource',
  uri: 'test://watched-resource',
  title: 'Watched resource',
  description: 'A resource to subscribe to (conformance fixture).',
  mimeType: 'text/plain',
  read: async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content.' }],
  }),
});

const staticBinary = defineResource({
  name: 'static_binary',
  uri: 'test://static-binary',
  title: 'Static binary',
  description: 'A static binary resource, a PNG (conformance fixture).',
  mimeType: 'image/png',
  read: async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: RED_PIXEL_PNG }] }),
});

const templateData = defineResourceTemplate({
  name: 'template_data',
  uriTemplate: 'test://template/{id}/data',
  title: 'Template data',
  description: 'Data for one id (conformance fixture).',
  mimeType: 'application/json',
  read: async (uri, variables) => {
    const id = String(variables.id);
    return {
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ],
    };
  },
});

const simplePrompt = definePrompt({
  name: 'test_simple_prompt',
  description: 'A simple prompt without arguments (conformance fixture).',
  get: async () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }),
});

const suggest = (value: string): string[] =>
  ['paris', 'park', 'party', 'test', 'testing'].filter((word) => word.startsWith(value));

const argumentsPrompt = definePrompt({
  name: 'test_prompt_with_arguments',
  description: 'A prompt with two required arguments (conformance fixture).',
  args: z.object({
    arg1: completable(z.string().describe('First test argument'), suggest),
    arg2: z.string().describe('Second test argument'),
  }),
  get: async ({ arg1, arg2 }) => ({
    messages: [
      {
        role: 'user',
        content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
      },
    ],
  }),
});

const embeddedResourcePrompt = definePrompt({
  name: 'test_prompt_with_embedded_resource',
  description: 'A prompt embedding a resource (conformance fixture).',
  args: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
  get: async ({ resourceUri }) => ({
    messages: [
      {
        role: 'user',
        content: {
          type: 'resource',
          resource: {
            uri: resourceUri,
            mimeType: 'text/plain',
            text: 'Embedded resource content for testing.',
          },
        },
      },
      { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
    ],
  }),
});

const imagePrompt = definePrompt({
  name: 'test_prompt_with_image',
  description: 'A prompt with an image (conformance fixture).',
  get: async () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }),
});

/**
 * Test-only provider exposing the fixtures of the `@modelcontextprotocol/conformance` server scenarios, built
 * with core's factories only (rich content, `ctx.log`/`progress`/`sample`/`elicit`). Its OAuth endpoints are
 * never called: the conformance host hands core a fixed token source.
 */
export function conformanceProvider(): ProviderDefinition {
  return {
    id: 'conformance',
    displayName: 'Conformance',
    endpoints: {
      authorization: 'https://conformance.invalid/authorize',
      token: 'https://conformance.invalid/token',
      api: 'https://conformance.invalid/api',
    },
    defaultScopes: [],
    scopeSeparator: ' ',
    pkce: true,
    clientAuthentication: 'client_secret_post',
    tokensExpire: false,
    rotatesRefreshTokens: false,
    fetchIdentity: async () => ({ subject: 'conformance', login: 'conformance' }),
    tools: [
      simpleText,
      errorHandling,
      jsonSchema2020,
      imageContent,
      audioContent,
      embeddedResource,
      mixedContent,
      withLogging,
      withProgress,
      sampling,
      elicitation,
      elicitationDefaults,
      elicitationEnums,
    ],
    resources: [staticText, staticBinary, watched],
    resourceTemplates: [templateData],
    prompts: [simplePrompt, argumentsPrompt, embeddedResourcePrompt, imagePrompt],
  };
}
