import { bearer } from './admin-api.js';
import type { ServerProcess } from './server-process.js';

/** A JSON-RPC `initialize` request as an MCP client sends it first. */
export const MCP_INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'mcp-oauth-e2e', version: '0.0.0' },
  },
} as const;

/**
 * Sends a request to a per-instance route (`/:instanceId/<route>`). `instanceSegment` is put into the path as
 * given (URL-encode it yourself); `mcp` POSTs an MCP `initialize`, the other routes are GETs.
 */
export function instanceFetch(
  server: ServerProcess,
  instanceSegment: string,
  route: 'mcp' | 'status' | 'health',
  key: string | undefined,
): Promise<Response> {
  const url = `${server.url}/${instanceSegment}/${route}`;
  if (route !== 'mcp') return fetch(url, { headers: bearer(key) });
  return fetch(url, {
    method: 'POST',
    headers: {
      ...bearer(key),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify(MCP_INITIALIZE),
  });
}
