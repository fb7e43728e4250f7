import type { ToolContext } from '@org/mcp-oauth-core';
import { createGitHubClient, type GitHubClient } from './client.js';

/** A {@link GitHubClient} for the instance a tool runs for (its token, API base URL, fetch and abort signal). */
export function clientFor(context: ToolContext): GitHubClient {
  return createGitHubClient({
    apiUrl: context.apiBaseUrl,
    accessToken: context.accessToken,
    fetch: context.fetch,
    signal: context.signal,
  });
}
