import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { InstanceRecord } from '../store/ports.js';
import type { FetchLike, Logger } from '../util/types.js';
import type { ToolClient } from './tool-client.js';
import type { ToolContentBlock } from './tool-content.js';

/**
 * What a tool handler gets: an authenticated context for exactly one instance, plus the {@link ToolClient}
 * capabilities of the call (`log`, `progress`, `sample`, `elicit`, `resourceUpdated`).
 */
export interface ToolContext extends ToolClient {
  /** Upstream access token of this instance (fresh; never return it to the client or log it). */
  accessToken: string;
  instance: InstanceRecord;
  /** Scopes the upstream granted to this instance. */
  grantedScopes: readonly string[];
  /** Base URL of the provider's API (from the provider definition). */
  apiBaseUrl: string;
  fetch: FetchLike;
  logger: Logger;
  /** Aborted when the client goes away or the request times out. */
  signal: AbortSignal;
  /** Correlates log lines and audit records of this call. */
  requestId: string;
}

/**
 * What a handler returns: data matching the output schema, an optional text rendering, and optional extra
 * content blocks (images, audio, embedded resources, resource links, more text). The result's `content` is the
 * text rendering followed by `content`, in order; `structuredContent` is `structured`.
 */
export interface ToolOutput<O> {
  structured: O;
  /** Text for clients that ignore `structuredContent`; defaults to pretty JSON of `structured`. */
  text?: string;
  /**
   * Content blocks after the text rendering, e.g. `{ type: 'image', data: base64, mimeType: 'image/png' }`.
   * Checked against the MCP schema before the result is sent: an invalid block fails the call (`isError`,
   * logged as `MCP_CONTENT_INVALID`). @default []
   */
  content?: readonly ToolContentBlock[];
}

/** A tool with its schemas typed; produced by {@link defineTool}. */
export interface TypedToolDefinition<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  /** snake_case name, unique within a provider. */
  name: string;
  title: string;
  /** Written for a model: what the tool does, when to use it, what it returns. */
  description: string;
  input: z.ZodObject<I>;
  output: z.ZodObject<O>;
  annotations: ToolAnnotations;
  /** Upstream scopes needed; the tool is hidden when any is missing from the granted scopes. */
  scopes: readonly string[];
  /** Read-only tools are the only ones a read-only instance lists. */
  readOnly: boolean;
  /**
   * Toolset(s) the tool belongs to (`context`, `repos`, …). A tool in several toolsets (`search_issues` in
   * `issues` and `search`) is listed when any of them is enabled.
   */
  toolset: string | readonly string[];
  handler(args: z.infer<z.ZodObject<I>>, context: ToolContext): Promise<ToolOutput<z.infer<z.ZodObject<O>>>>;
}

/** A tool with its schemas erased, as stored in provider definitions. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject<z.ZodRawShape>;
  output: z.ZodObject<z.ZodRawShape>;
  annotations: ToolAnnotations;
  scopes: readonly string[];
  readOnly: boolean;
  toolset: string | readonly string[];
  handler(args: Record<string, unknown>, context: ToolContext): Promise<ToolOutput<Record<string, unknown>>>;
}

/**
 * Declares an MCP tool. Input is validated by the MCP SDK before `handler` runs; output must match `output`.
 *
 * @example
 * ```ts
 * export const getMe = defineTool({
 *   name: 'get_me', title: 'Get my profile', description: 'Returns the authenticated user.',
 *   input: z.object({}), output: z.object({ login: z.string() }),
 *   annotations: { readOnlyHint: true }, scopes: [], readOnly: true, toolset: 'context',
 *   handler: async (_args, ctx) => ({ structured: { login: 'octocat' } }),
 * });
 * ```
 */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  definition: TypedToolDefinition<I, O>,
): ToolDefinition {
  return definition as unknown as ToolDefinition;
}
