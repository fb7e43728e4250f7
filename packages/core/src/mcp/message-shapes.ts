import type {
  JSONRPCMessage,
  JSONRPCRequest,
  JSONRPCResponse,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';

// What kind of JSON-RPC message is at hand, on the hot path of every MCP request (internal). A `JSONRPCMessage`
// given to these guards is valid already (parsed by the SDK transport, or made by the SDK server), so its shape
// tells what it is — much cheaper than the SDK's `isJSONRPC…` guards, which are zod parses.

/** Ids of the JSON-RPC requests (not notifications or responses) in a parsed POST body. */
export function requestIdsOf(body: unknown): RequestId[] {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  const ids: RequestId[] = [];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { id, method } = message as { id?: unknown; method?: unknown };
    if (typeof method === 'string' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
  }
  return ids;
}

/** A request: `method` and `id`. */
export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}

/** A response (result or error): no `method`. */
export function isResponse(message: JSONRPCMessage): message is JSONRPCResponse {
  return !('method' in message);
}

/** The request id of a `notifications/cancelled` message. */
export function cancelledRequestOf(message: JSONRPCMessage): RequestId | undefined {
  if (!('method' in message) || message.method !== 'notifications/cancelled' || 'id' in message) {
    return undefined;
  }
  const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}
