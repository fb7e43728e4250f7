import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/**
 * Declares the `logging` capability and accepts `logging/setLevel` with `{}` (internal). The endpoint is
 * stateless (one JSON response per request, no stream), so it never sends log notifications and the level has
 * nothing to filter; accepting it keeps clients that set a level before calling tools working.
 */
export function acceptLogLevel(server: McpServer): void {
  server.server.registerCapabilities({ logging: {} });
  server.server.setRequestHandler(SetLevelRequestSchema, async () => ({}));
}
