import { z } from 'zod';
import { bool, int, names, obj, str } from '../../api/json.js';
import { clip } from '../../api/trim.js';

const branchSchema = z.object({
  ref: z.string().nullable().describe('Branch name'),
  sha: z.string().nullable(),
  label: z.string().nullable().describe('owner:branch'),
  repository: z.string().nullable().describe('owner/repo of the branch (differs from the base for forks)'),
});

/** A pull request, trimmed for a model. Detail fields are `null` in listings, which GitHub leaves out. */
export const pullSchema = z.object({
  number: z.number().int(),
  title: z.string(),
  state: z.string().describe('open or closed'),
  draft: z.boolean().nullable(),
  merged: z.boolean().nullable().describe('null in listings; check merged_at there'),
  mergeable: z.boolean().nullable().describe('null while GitHub is still computing it'),
  mergeable_state: z.string().nullable(),
  user: z.string().nullable().describe('Login of the author'),
  head: branchSchema,
  base: branchSchema,
  labels: z.array(z.string()),
  assignees: z.array(z.string()),
  requested_reviewers: z.array(z.string()),
  merged_by: z.string().nullable(),
  comments: z.number().int().nullable(),
  review_comments: z.number().int().nullable(),
  commits: z.number().int().nullable(),
  additions: z.number().int().nullable(),
  deletions: z.number().int().nullable(),
  changed_files: z.number().int().nullable(),
  html_url: z.string().nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  closed_at: z.string().nullable(),
  merged_at: z.string().nullable(),
  body: z.string().nullable().describe('Markdown body, possibly shortened (see body_truncated)'),
  body_truncated: z.boolean(),
});

/** A pull request in the shape of {@link pullSchema}. */
export type Pull = z.infer<typeof pullSchema>;

function branch(value: unknown): z.infer<typeof branchSchema> {
  const raw = obj(value);
  return {
    ref: str(raw.ref),
    sha: str(raw.sha),
    label: str(raw.label),
    repository: str(obj(raw.repo).full_name),
  };
}

/** Reads a GitHub pull request, keeping at most `bodyChars` characters of its body. */
export function toPull(value: unknown, bodyChars: number): Pull {
  const raw = obj(value);
  const body = clip(raw.body, bodyChars);
  return {
    number: int(raw.number) ?? 0,
    title: str(raw.title) ?? '',
    state: str(raw.state) ?? 'open',
    draft: bool(raw.draft),
    merged: bool(raw.merged),
    mergeable: bool(raw.mergeable),
    mergeable_state: str(raw.mergeable_state),
    user: str(obj(raw.user).login),
    head: branch(raw.head),
    base: branch(raw.base),
    labels: names(raw.labels),
    assignees: names(raw.assignees, 'login'),
    requested_reviewers: names(raw.requested_reviewers, 'login'),
    merged_by: str(obj(raw.merged_by).login),
    comments: int(raw.comments),
    review_comments: int(raw.review_comments),
    commits: int(raw.commits),
    additions: int(raw.additions),
    deletions: int(raw.deletions),
    changed_files: int(raw.changed_files),
    html_url: str(raw.html_url),
    created_at: str(raw.created_at),
    updated_at: str(raw.updated_at),
    closed_at: str(raw.closed_at),
    merged_at: str(raw.merged_at),
    body: body.text,
    body_truncated: body.truncated,
  };
}

/** `#7 [open, draft] Title (head → base) by login`. */
export function pullLine(pull: Pull): string {
  const state = pull.merged_at ? 'merged' : pull.state;
  const draft = pull.draft ? ', draft' : '';
  return `#${pull.number} [${state}${draft}] ${pull.title} (${pull.head.ref ?? '?'} → ${pull.base.ref ?? '?'}) by ${pull.user ?? 'unknown'}`;
}
