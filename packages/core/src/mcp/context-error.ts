import { McpOAuthError } from '../errors/base.js';

/** Codes of {@link ToolContextError}. */
export type ToolContextErrorCode =
  | 'MCP_SESSION_REQUIRED'
  | 'MCP_CLIENT_CAPABILITY_MISSING'
  | 'MCP_CLIENT_REQUEST_FAILED'
  | 'MCP_PROGRESS_INVALID'
  | 'MCP_CONTENT_INVALID';

/**
 * A tool asked its {@link ToolContext} for something the call cannot give:
 * - `MCP_SESSION_REQUIRED`: `sample()` / `elicit()` without a stateful MCP session (a server-to-client request
 *   needs the session to route the client's answer back);
 * - `MCP_CLIENT_CAPABILITY_MISSING`: the client did not declare `sampling`, `elicitation` (form) or
 *   `elicitation.url` when it initialised;
 * - `MCP_CLIENT_REQUEST_FAILED`: the client answered the request with an error, it timed out, the call was
 *   cancelled, or the answer did not match the requested schema (`cause` holds the SDK error);
 * - `MCP_PROGRESS_INVALID`: `progress()` with a value that is not finite or does not increase;
 * - `MCP_CONTENT_INVALID`: a tool returned a content block that is not a valid MCP content block.
 *
 * Thrown from a tool handler, the first three become an `isError` result quoting the message (written for a
 * model); the last two are tool bugs and get the generic "failed unexpectedly" text.
 */
export class ToolContextError extends McpOAuthError<ToolContextErrorCode> {}
