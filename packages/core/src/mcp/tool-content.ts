import {
  type AudioContent,
  AudioContentSchema,
  type CallToolResult,
  type EmbeddedResource,
  EmbeddedResourceSchema,
  type ImageContent,
  ImageContentSchema,
  type ResourceLink,
  ResourceLinkSchema,
  type TextContent,
  TextContentSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { ToolContextError } from './context-error.js';

/**
 * A content block a tool returns besides its structured result and text rendering: more text, an image or
 * audio clip (base64 `data` + `mimeType`), an embedded resource (`{ type: 'resource', resource: { uri,
 * mimeType, text | blob } }`) or a link to a resource (`{ type: 'resource_link', uri, name }`). The MCP
 * specification's content block types, as the SDK declares them.
 */
export type ToolContentBlock = TextContent | ImageContent | AudioContent | EmbeddedResource | ResourceLink;

const BLOCK_SCHEMAS = {
  text: TextContentSchema,
  image: ImageContentSchema,
  audio: AudioContentSchema,
  resource: EmbeddedResourceSchema,
  resource_link: ResourceLinkSchema,
} as const;

function blockProblem(block: unknown): string | undefined {
  const type = (block as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(BLOCK_SCHEMAS, type)) {
    return 'its type must be one of text, image, audio, resource, resource_link';
  }
  const parsed = BLOCK_SCHEMAS[type as keyof typeof BLOCK_SCHEMAS].safeParse(block);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  const where = issue !== undefined && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'invalid'}`;
}

/** What {@link toolResult} renders: a tool handler's output (see `ToolOutput`). */
export interface RenderableOutput {
  structured: Record<string, unknown>;
  text?: string;
  content?: readonly ToolContentBlock[];
}

/**
 * The `tools/call` result of a successful handler (internal): `structuredContent`, then the content array — the
 * text rendering first (pretty JSON of `structured` unless the tool gave `text`; the specification asks tools
 * with structured output to include it), then the tool's extra blocks in order. Each extra block is checked
 * against the MCP schema here, so a bad block fails this call with a coded error instead of the whole JSON-RPC
 * answer.
 *
 * @throws ToolContextError `MCP_CONTENT_INVALID` naming the first invalid block (its index and the schema
 *   problem, never its data).
 */
export function toolResult(output: RenderableOutput): CallToolResult {
  const extra = output.content ?? [];
  if (!Array.isArray(extra)) {
    throw new ToolContextError('MCP_CONTENT_INVALID', 'Tool output `content` must be an array of blocks.');
  }
  const blocks: ToolContentBlock[] = [];
  for (const [index, block] of extra.entries()) {
    const problem = blockProblem(block);
    if (problem !== undefined) {
      throw new ToolContextError(
        'MCP_CONTENT_INVALID',
        `Tool output content[${index}] is not a valid MCP content block (${problem}).`,
      );
    }
    blocks.push(block);
  }
  return {
    content: [{ type: 'text', text: output.text ?? JSON.stringify(output.structured, null, 2) }, ...blocks],
    structuredContent: output.structured,
  };
}
