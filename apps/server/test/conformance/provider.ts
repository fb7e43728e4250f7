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

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
const noOutput = z.object({});

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
 * Test-only provider exposing the fixtures of the `@modelcontextprotocol/conformance` server scenarios that
 * core's factory can express (see baseline.json for the others). Its OAuth endpoints are never called: the
 * conformance host hands core a fixed token source.
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
    tools: [simpleText, errorHandling, jsonSchema2020],
    resources: [staticText, staticBinary],
    resourceTemplates: [templateData],
    prompts: [simplePrompt, argumentsPrompt, embeddedResourcePrompt, imagePrompt],
  };
}
