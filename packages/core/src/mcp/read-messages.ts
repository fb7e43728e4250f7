import { readRequestBody, requestBodyTooLargeMessage } from '@modelcontextprotocol/sdk/server/requestBody.js';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { jsonRpcError } from './json-rpc-error.js';

/** A POST body read ahead of the SDK transport, or the answer to give instead (internal). */
export type ReadMessages =
  | { kind: 'parsed'; body: unknown }
  /** The SDK transport must answer alone (wrong `Accept` or `Content-Type`: 406 / 415 before any body). */
  | { kind: 'unread' }
  | { kind: 'refused'; response: Response };

/**
 * Reads and parses a POST body the way the SDK's Streamable HTTP transport would (same limit, same 413 and
 * `-32700` answers), so the handler can see whether it is an `initialize` and which requests it carries before
 * handing it over as `parsedBody` (internal). Requests the SDK refuses before reading (`Accept` without both
 * `application/json` and `text/event-stream`, a non-JSON `Content-Type`) are left unread.
 */
export async function readMessages(request: Request, maxBodyBytes: number): Promise<ReadMessages> {
  const accept = request.headers.get('accept') ?? '';
  if (
    !accept.includes('application/json') ||
    !accept.includes('text/event-stream') ||
    !isJsonContentType(request.headers.get('content-type'))
  ) {
    return { kind: 'unread' };
  }
  const body = await readRequestBody(request, maxBodyBytes);
  if (body.tooLarge) {
    return { kind: 'refused', response: jsonRpcError(413, -32000, requestBodyTooLargeMessage(maxBodyBytes)) };
  }
  try {
    return { kind: 'parsed', body: JSON.parse(body.text) as unknown };
  } catch {
    return { kind: 'refused', response: jsonRpcError(400, -32700, 'Parse error: Invalid JSON') };
  }
}

/** True when a parsed body is an `initialize` request, alone or as a batch of one (how a session starts). */
export function isInitializeBody(body: unknown): boolean {
  return Array.isArray(body) ? body.length === 1 && isInitializeRequest(body[0]) : isInitializeRequest(body);
}

/** True when a parsed body carries at least one JSON-RPC request (not only notifications or responses). */
export function hasRequests(body: unknown): boolean {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.some(
    (message) =>
      typeof message === 'object' &&
      message !== null &&
      typeof (message as { method?: unknown }).method === 'string' &&
      'id' in message,
  );
}
