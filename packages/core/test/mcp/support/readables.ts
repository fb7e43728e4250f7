import { z } from 'zod';
import { definePrompt } from '../../../src/mcp/prompt.js';
import { defineResource, defineResourceTemplate } from '../../../src/mcp/resource.js';
import type { ProviderDefinition } from '../../../src/provider/types.js';
import { fakeProvider, UpstreamStatusError } from '../../http/support/provider.js';

/** A static text resource needing no scope. */
export const staticText = defineResource({
  name: 'static_text',
  uri: 'test://static-text',
  title: 'Static text',
  description: 'A fixed text.',
  mimeType: 'text/plain',
  read: async (uri, ctx) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: `hello from ${ctx.instance.instanceId}` }],
  }),
});

/** A resource needing `admin:org` (not granted in the tests): never listed. */
export const orgSecrets = defineResource({
  name: 'org_settings',
  uri: 'test://org-settings',
  description: 'Organisation settings.',
  scopes: ['admin:org'],
  read: async (uri) => ({ contents: [{ uri: uri.href, text: 'must not be read' }] }),
});

/** A template whose `path` explodes into segments; `missing` answers 404, `boom` a bug with a secret. */
export const files = defineResourceTemplate({
  name: 'files',
  uriTemplate: 'files://{owner}/{repo}/contents{/path*}',
  title: 'Files',
  description: 'File contents.',
  mimeType: 'application/json',
  scopes: ['repo'],
  toolset: 'repos',
  read: async (uri, variables) => {
    if (variables.repo === 'missing') throw new UpstreamStatusError(404, 'Not Found');
    if (variables.repo === 'boom') throw new Error('secret-internal-detail token=abc123');
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(variables) }] };
  },
});

/** A prompt without arguments. */
export const simplePrompt = definePrompt({
  name: 'simple_prompt',
  description: 'A simple prompt.',
  get: async () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hello.' } }] }),
});

/** A prompt with two string arguments. */
export const argsPrompt = definePrompt({
  name: 'args_prompt',
  title: 'With arguments',
  description: 'A prompt with arguments.',
  args: z.object({ first: z.string().describe('First'), second: z.string().describe('Second') }),
  toolset: 'issues',
  get: async ({ first, second }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `first=${first} second=${second}` } }],
  }),
});

/** {@link fakeProvider} plus the resources, template and prompts above. */
export function readableProvider(): ProviderDefinition {
  return {
    ...fakeProvider(),
    resources: [staticText, orgSecrets],
    resourceTemplates: [files],
    prompts: [simplePrompt, argsPrompt],
  };
}
