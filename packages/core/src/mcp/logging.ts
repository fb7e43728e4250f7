import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  type LoggingLevel,
  LoggingLevelSchema,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** The `logging/setLevel` state of one server (internal). */
export interface LogLevelFilter {
  /** True when a message at `level` goes to the client: no level set yet, or `level` is at least the one set. */
  isSent(level: LoggingLevel): boolean;
}

const SEVERITY = new Map<LoggingLevel, number>(
  LoggingLevelSchema.options.map((level, index) => [level, index]),
);

/**
 * Declares the `logging` capability and answers `logging/setLevel` (internal). The level is kept per server:
 * for a session it filters the session's later `ctx.log` messages; a stateless request's server lives for
 * that request only, so there the level filters nothing that follows.
 */
export function acceptLogLevel(server: McpServer): LogLevelFilter {
  let minimum: number | undefined;
  server.server.registerCapabilities({ logging: {} });
  server.server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    minimum = SEVERITY.get(request.params.level);
    return {};
  });
  return {
    isSent: (level) => minimum === undefined || (SEVERITY.get(level) ?? 0) >= minimum,
  };
}
