import type { InstanceRecord, ToolContext } from '@org/mcp-oauth-core';
import { detachedToolClient, silentLogger } from '@org/mcp-oauth-core';

/** A ToolContext for one instance, as core's MCP handler would build it. */
export function toolContext(input: {
  accessToken: string;
  apiBaseUrl: string;
  scopes?: string[];
}): ToolContext {
  const now = new Date('2025-01-01T00:00:00Z');
  const instance: InstanceRecord = {
    instanceId: '00000000-0000-4000-8000-000000000001',
    serviceName: 'github',
    userId: 'user-1',
    status: 'active',
    config: {
      scopes: input.scopes ?? ['read:user'],
      readOnly: false,
      toolsets: null,
      clientId: null,
      clientSecretCiphertext: null,
    },
    upstreamSubject: '583231',
    upstreamLogin: 'octocat',
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    oauthCompletedAt: now,
  };
  return {
    accessToken: input.accessToken,
    instance,
    grantedScopes: input.scopes ?? ['read:user'],
    apiBaseUrl: input.apiBaseUrl,
    fetch: (url, init) => fetch(url, init),
    logger: silentLogger,
    signal: new AbortController().signal,
    requestId: 'req-1',
    ...detachedToolClient(),
  };
}
