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

/** Longest resource URI `resources/subscribe` accepts, in UTF-8 bytes (2 KiB). */
export const MAX_SUBSCRIPTION_URI_BYTES = 2048;

/** Most bytes (UTF-8) the subscribed URIs of one session may add up to (64 KiB). */
export const MAX_SUBSCRIPTION_BYTES_PER_SESSION = 64 * 1024;

/**
 * Declares `resources.subscribe` on a session's server and answers `resources/subscribe` and
 * `resources/unsubscribe` by keeping the session's URIs in `subscriptions`, which nothing else may change
 * (internal). A URI longer than {@link MAX_SUBSCRIPTION_URI_BYTES} is refused with `-32602` before any template
 * is tried; then only URIs the session can read may be subscribed to: a listed resource, or a URI matching one of
 * its templates (anything else is `-32002`, resource not found); and a session holds at most
 * {@link MAX_SUBSCRIPTIONS_PER_SESSION} URIs of at most {@link MAX_SUBSCRIPTION_BYTES_PER_SESSION} bytes in
 * total (`-32600` beyond).
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
  const encoder = new TextEncoder();
  // A UTF-8 encoding is never shorter than the string's UTF-16 length: longer strings are refused unencoded.
  const bytesOf = (uri: string): number =>
    uri.length > MAX_SUBSCRIPTION_URI_BYTES ? uri.length : encoder.encode(uri).byteLength;
  let totalBytes = 0;
  for (const uri of subscriptions) totalBytes += bytesOf(uri);
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const bytes = bytesOf(uri);
    if (bytes > MAX_SUBSCRIPTION_URI_BYTES) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Resource URI too long: at most ${MAX_SUBSCRIPTION_URI_BYTES} bytes may be subscribed to.`,
      );
    }
    if (!readable(uri)) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`);
    if (subscriptions.has(uri)) return {};
    if (subscriptions.size >= MAX_SUBSCRIPTIONS_PER_SESSION) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `A session may subscribe to at most ${MAX_SUBSCRIPTIONS_PER_SESSION} resources; unsubscribe from some first.`,
      );
    }
    if (totalBytes + bytes > MAX_SUBSCRIPTION_BYTES_PER_SESSION) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `A session's subscribed URIs may add up to at most ${MAX_SUBSCRIPTION_BYTES_PER_SESSION} bytes; unsubscribe from some first.`,
      );
    }
    subscriptions.add(uri);
    totalBytes += bytes;
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    if (subscriptions.delete(uri)) totalBytes -= bytesOf(uri);
    return {};
  });
}
