import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

/** Annotations of a tool that only reads GitHub (an open world: results change over time). */
export function readAnnotations(title: string): ToolAnnotations {
  return { title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
}

/**
 * Annotations of a tool that writes to GitHub. `destructive`: may overwrite or irreversibly change existing
 * data; `idempotent`: calling again with the same arguments has no further effect.
 */
export function writeAnnotations(
  title: string,
  effects: { destructive: boolean; idempotent: boolean },
): ToolAnnotations {
  return {
    title,
    readOnlyHint: false,
    destructiveHint: effects.destructive,
    idempotentHint: effects.idempotent,
    openWorldHint: true,
  };
}
