import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  McpError,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { RESOURCE_NOT_FOUND, type RegisteredReadables } from './register-resources.js';
import { PathUriTemplate } from './uri-template.js';

/** Most resource URIs one session may subscribe to. */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 256;

/**
 * Declares `resources.subscribe` on a session's server and answers `resources/subscribe` and
 * `resources/unsubscribe` by keeping the session's URIs in `subscriptions` (internal). Only URIs the session can
 * read may be subscribed to: a listed resource, or a URI matching one of its templates; anything else is
 * `-32002` (resource not found).
 */
export function acceptSubscriptions(
  server: McpServer,
  readables: RegisteredReadables,
  subscriptions: Set<string>,
): void {
  const uris = new Set(readables.resources.map((resource) => resource.uri));
  const templates = readables.templates.map((template) => new PathUriTemplate(template.uriTemplate));
  const readable = (uri: string): boolean =>
    uris.has(uri) || templates.some((template) => template.match(uri) !== null);
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    if (!readable(uri)) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`);
    if (!subscriptions.has(uri) && subscriptions.size >= MAX_SUBSCRIPTIONS_PER_SESSION) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `A session may subscribe to at most ${MAX_SUBSCRIPTIONS_PER_SESSION} resources; unsubscribe from some first.`,
      );
    }
    subscriptions.add(uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });
}
