import { z } from 'zod';
import { int, obj, str } from '../../api/json.js';
import { PATCH_CHARS, type TextBudget } from '../../api/trim.js';

/** One changed file of a commit or pull request. */
export const fileChangeSchema = z.object({
  filename: z.string(),
  status: z.string().describe('added, removed, modified, renamed, copied, changed or unchanged'),
  previous_filename: z.string().nullable(),
  additions: z.number().int().nullable(),
  deletions: z.number().int().nullable(),
  changes: z.number().int().nullable(),
  patch: z.string().nullable().describe('Unified diff, possibly shortened; null for binary or huge files'),
  patch_truncated: z.boolean(),
});

/** A changed file in the shape of {@link fileChangeSchema}. */
export type FileChange = z.infer<typeof fileChangeSchema>;

/** Reads a changed file, drawing its patch from a budget shared by the whole answer. */
export function toFileChange(value: unknown, budget: TextBudget, includePatch = true): FileChange {
  const raw = obj(value);
  const patch = includePatch ? budget.take(raw.patch, PATCH_CHARS) : { text: null, truncated: false };
  return {
    filename: str(raw.filename) ?? '',
    status: str(raw.status) ?? 'modified',
    previous_filename: str(raw.previous_filename),
    additions: int(raw.additions),
    deletions: int(raw.deletions),
    changes: int(raw.changes),
    patch: patch.text,
    patch_truncated: patch.truncated,
  };
}

/** `M path/to/file (+3 −1)`. */
export function fileChangeLine(file: FileChange): string {
  const renamed = file.previous_filename ? ` (from ${file.previous_filename})` : '';
  return `${file.status} ${file.filename}${renamed} (+${file.additions ?? 0} −${file.deletions ?? 0})`;
}
