import { z } from 'zod';
import { int, type Json, names, obj, str } from '../../api/json.js';
import { clip } from '../../api/trim.js';

/** An issue (or a pull request seen through the issues API), trimmed for a model. */
export const issueSchema = z.object({
  number: z.number().int(),
  title: z.string(),
  state: z.string().describe('open or closed'),
  state_reason: z.string().nullable().describe('completed, not_planned, reopened or null'),
  user: z.string().nullable().describe('Login of the author'),
  labels: z.array(z.string()),
  assignees: z.array(z.string()),
  milestone: z.string().nullable(),
  comments: z.number().int().nullable().describe('Number of comments'),
  locked: z.boolean(),
  is_pull_request: z.boolean().describe('GitHub lists pull requests among issues; true for those'),
  repository: z.string().nullable().describe('owner/repo'),
  html_url: z.string().nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  closed_at: z.string().nullable(),
  body: z.string().nullable().describe('Markdown body, possibly shortened (see body_truncated)'),
  body_truncated: z.boolean(),
});

/** An issue in the shape of {@link issueSchema}. */
export type Issue = z.infer<typeof issueSchema>;

function repositoryOf(raw: Json): string | null {
  const url = str(raw.repository_url);
  const match = url ? /\/repos\/([^/]+\/[^/]+)$/.exec(url) : null;
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/** Reads a GitHub issue, keeping at most `bodyChars` characters of its body. */
export function toIssue(value: unknown, bodyChars: number): Issue {
  const raw = obj(value);
  const body = clip(raw.body, bodyChars);
  return {
    number: int(raw.number) ?? 0,
    title: str(raw.title) ?? '',
    state: str(raw.state) ?? 'open',
    state_reason: str(raw.state_reason),
    user: str(obj(raw.user).login),
    labels: names(raw.labels),
    assignees: names(raw.assignees, 'login'),
    milestone: str(obj(raw.milestone).title),
    comments: int(raw.comments),
    locked: raw.locked === true,
    is_pull_request: raw.pull_request !== undefined && raw.pull_request !== null,
    repository: repositoryOf(raw),
    html_url: str(raw.html_url),
    created_at: str(raw.created_at),
    updated_at: str(raw.updated_at),
    closed_at: str(raw.closed_at),
    body: body.text,
    body_truncated: body.truncated,
  };
}

/** `#12 [open] Title (labels) by login`. */
export function issueLine(issue: Issue): string {
  const labels = issue.labels.length > 0 ? ` (${issue.labels.join(', ')})` : '';
  const where = issue.repository ? `${issue.repository}` : '';
  const kind = issue.is_pull_request ? ' [pull request]' : '';
  return `${where}#${issue.number} [${issue.state}]${kind} ${issue.title}${labels} by ${issue.user ?? 'unknown'}`;
}
