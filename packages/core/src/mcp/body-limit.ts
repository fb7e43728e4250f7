/**
 * Default largest JSON-RPC body of the MCP endpoint: 1 MiB for tool arguments (file contents of up to ~1 MB)
 * plus 64 KiB for the JSON-RPC envelope and string escapes. Larger bodies answer HTTP 413 before any parsing.
 * A server adapter capping bodies at the socket must allow at least this much.
 */
export const DEFAULT_MCP_MAX_BODY_BYTES = 1_048_576 + 65_536;
