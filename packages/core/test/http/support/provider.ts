import { z } from 'zod';
import { defineTool } from '../../../src/mcp/tool.js';
import type { ProviderDefinition } from '../../../src/provider/types.js';

/** A thrown error that looks like an upstream API failure (what provider clients throw). */
export class UpstreamStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamStatusError';
  }
}

const getMe = defineTool({
  name: 'get_me',
  title: 'Get my profile',
  description: 'Returns the connected account.',
  input: z.object({}),
  output: z.object({ login: z.string(), tokenSeen: z.boolean(), requestId: z.string() }),
  annotations: { readOnlyHint: true },
  scopes: ['read:user'],
  readOnly: true,
  toolset: 'context',
  handler: async (_args, ctx) => ({
    structured: {
      login: ctx.instance.upstreamLogin ?? 'unknown',
      tokenSeen: ctx.accessToken === `token-of-${ctx.instance.instanceId}`,
      requestId: ctx.requestId,
    },
  }),
});

const createIssue = defineTool({
  name: 'create_issue',
  title: 'Create an issue',
  description: 'Creates an issue.',
  input: z.object({ title: z.string().min(1).max(100) }),
  output: z.object({ number: z.number() }),
  annotations: { readOnlyHint: false, destructiveHint: false },
  scopes: ['repo'],
  readOnly: false,
  toolset: 'issues',
  handler: async (args) => ({
    structured: { number: args.title.length },
    text: `created #${args.title.length}`,
  }),
});

const orgAdmin = defineTool({
  name: 'org_admin',
  title: 'Administer an organisation',
  description: 'Needs a scope that is never granted in these tests.',
  input: z.object({}),
  output: z.object({ ok: z.boolean() }),
  annotations: { readOnlyHint: true },
  scopes: ['admin:org'],
  readOnly: true,
  toolset: 'orgs',
  handler: async () => ({ structured: { ok: true } }),
});

/** Fails the way the test asks: `{mode: 'unauthorized' | 'rate_limited' | 'boom'}`. */
const failing = defineTool({
  name: 'failing',
  title: 'Fail on purpose',
  description: 'Throws the requested failure.',
  input: z.object({ mode: z.enum(['unauthorized', 'rate_limited', 'boom']) }),
  output: z.object({ ok: z.boolean() }),
  annotations: { readOnlyHint: true },
  scopes: [],
  readOnly: true,
  toolset: 'context',
  handler: async (args) => {
    if (args.mode === 'unauthorized') throw new UpstreamStatusError(401, 'Bad credentials');
    if (args.mode === 'rate_limited') throw new UpstreamStatusError(429, 'slow down');
    throw new Error('secret-internal-detail token=abc123');
  },
});

/** A provider with four tools covering the read-only, scope and toolset filters. */
export function fakeProvider(): ProviderDefinition {
  return {
    id: 'fakehub',
    displayName: 'FakeHub',
    endpoints: {
      authorization: 'https://fakehub.test/login/oauth/authorize',
      token: 'https://fakehub.test/login/oauth/access_token',
      api: 'https://api.fakehub.test',
    },
    defaultScopes: ['read:user'],
    scopeSeparator: ' ',
    pkce: true,
    clientAuthentication: 'client_secret_post',
    tokensExpire: false,
    rotatesRefreshTokens: false,
    fetchIdentity: async () => ({ subject: '1', login: 'octocat' }),
    tools: [getMe, createIssue, orgAdmin, failing],
  };
}
