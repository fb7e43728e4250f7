import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { ResourceContext } from './resource.js';

/** A prompt with its arguments typed; produced by {@link definePrompt}. */
export interface TypedPromptDefinition<A extends z.ZodRawShape> {
  /** Unique name within a provider. */
  name: string;
  title?: string;
  /** Written for a user picking a prompt: what it asks the model to do. */
  description: string;
  /** Arguments (prompt arguments arrive as strings: use `z.string()` fields). @default no arguments */
  args?: z.ZodObject<A>;
  /** Upstream scopes needed; the prompt is hidden when any is missing. @default [] */
  scopes?: readonly string[];
  /** Toolset(s) the prompt belongs to. @default always shown */
  toolset?: string | readonly string[];
  /** Builds the prompt's messages. Thrown errors become JSON-RPC errors with a safe message. */
  get(args: z.infer<z.ZodObject<A>>, context: ResourceContext): Promise<GetPromptResult>;
}

/** A prompt with its argument types erased, as stored in provider definitions. */
export interface PromptDefinition {
  name: string;
  title?: string;
  description: string;
  args?: z.ZodObject<z.ZodRawShape>;
  scopes?: readonly string[];
  toolset?: string | readonly string[];
  get(args: Record<string, unknown>, context: ResourceContext): Promise<GetPromptResult>;
}

/**
 * Declares an MCP prompt. Arguments are validated by the MCP SDK before `get` runs.
 *
 * @example
 * ```ts
 * export const review = definePrompt({
 *   name: 'review_pr', description: 'Review a pull request.',
 *   args: z.object({ number: z.string() }),
 *   get: async ({ number }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Review #${number}` } }] }),
 * });
 * ```
 */
export function definePrompt<A extends z.ZodRawShape>(
  definition: TypedPromptDefinition<A>,
): PromptDefinition {
  return definition as unknown as PromptDefinition;
}
