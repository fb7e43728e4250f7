import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolContext } from './tool.js';

/**
 * What a resource or prompt callback gets: the same authenticated context as a tool handler (access token of
 * exactly one instance, logger, abort signal, request id).
 */
export type ResourceContext = ToolContext;

/** Fields shared by resources and resource templates. */
export interface ResourceCommon {
  /** Unique name within a provider (`repo_contents`). */
  name: string;
  title?: string;
  /** Written for a model: what the resource holds. */
  description?: string;
  mimeType?: string;
  /** Upstream scopes needed; the resource is hidden when any is missing from the granted scopes. @default [] */
  scopes?: readonly string[];
  /** Toolset(s) the resource belongs to; hidden when the instance enables toolsets and none of these. @default always shown */
  toolset?: string | readonly string[];
}

/** A resource at one fixed URI; produced by {@link defineResource}. Resources are read-only by nature. */
export interface ResourceDefinition extends ResourceCommon {
  /** The resource's URI (`test://static-text`). */
  uri: string;
  /** Reads the resource. Thrown errors become JSON-RPC errors with a safe message (see `toolErrorMessage`). */
  read(uri: URL, context: ResourceContext): Promise<ReadResourceResult>;
}

/** A family of resources named by an RFC 6570 URI template; produced by {@link defineResourceTemplate}. */
export interface ResourceTemplateDefinition extends ResourceCommon {
  /** RFC 6570 template (`repo://{owner}/{repo}/contents{/path*}`). */
  uriTemplate: string;
  /** Reads one resource; `variables` are the template's values for `uri` (exploded ones as arrays). */
  read(
    uri: URL,
    variables: Record<string, string | string[]>,
    context: ResourceContext,
  ): Promise<ReadResourceResult>;
}

/**
 * Declares an MCP resource at a fixed URI, registered per request like tools (scope and toolset filtered).
 *
 * @example
 * ```ts
 * export const readme = defineResource({
 *   name: 'readme', uri: 'docs://readme', mimeType: 'text/markdown', description: 'The README.',
 *   read: async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: '# Hello' }] }),
 * });
 * ```
 */
export function defineResource(definition: ResourceDefinition): ResourceDefinition {
  return definition;
}

/**
 * Declares an MCP resource template (listed by `resources/templates/list`, read through `resources/read`).
 *
 * @example
 * ```ts
 * export const contents = defineResourceTemplate({
 *   name: 'repo_contents', uriTemplate: 'repo://{owner}/{repo}/contents{/path*}', scopes: ['repo'],
 *   read: async (uri, { owner, repo, path }, ctx) => ({ contents: [{ uri: uri.href, text: '…' }] }),
 * });
 * ```
 */
export function defineResourceTemplate(definition: ResourceTemplateDefinition): ResourceTemplateDefinition {
  return definition;
}
