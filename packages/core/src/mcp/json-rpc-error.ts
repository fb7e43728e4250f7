/** A JSON-RPC error answer with no request id, in the shape and headers the SDK transport uses (internal). */
export function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * The answer to a request of an unknown, expired, ended or foreign session: 404 with `-32001`, the Streamable HTTP
 * signal to initialise again (internal). The same bytes whatever the reason, so nothing tells them apart.
 */
export function sessionNotFound(): Response {
  return jsonRpcError(404, -32001, 'Session not found');
}
