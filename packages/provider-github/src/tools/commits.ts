import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { arr, int, obj, str } from '../api/json.js';
import { paginate } from '../api/paginate.js';
import { pageInfo } from '../api/pagination.js';
import { encodeSegments, repoPath } from '../api/paths.js';
import { clip, createTextBudget, firstLine, PATCHES_TOTAL_CHARS } from '../api/trim.js';
import { readAnnotations } from './shared/annotations.js';
import { isoDateArg, ownerArg, pageArg, perPageArg, refArg, repoArg } from './shared/args.js';
import { fileChangeLine, fileChangeSchema, toFileChange } from './shared/changes.js';
import { pageFields, pageHint, renderList } from './shared/render.js';

const personSchema = z.object({
  name: z.string().nullable(),
  login: z.string().nullable().describe('GitHub login, when the e-mail maps to an account'),
  date: z.string().nullable(),
});

const commitSummarySchema = z.object({
  sha: z.string(),
  message: z.string().describe('First line of the commit message'),
  author: personSchema,
  committer: personSchema,
  html_url: z.string().nullable(),
});

function person(gitPerson: unknown, account: unknown): z.infer<typeof personSchema> {
  const git = obj(gitPerson);
  return { name: str(git.name), login: str(obj(account).login), date: str(git.date) };
}

function toSummary(value: unknown): z.infer<typeof commitSummarySchema> {
  const raw = obj(value);
  const commit = obj(raw.commit);
  return {
    sha: str(raw.sha) ?? '',
    message: firstLine(commit.message),
    author: person(commit.author, raw.author),
    committer: person(commit.committer, raw.committer),
    html_url: str(raw.html_url),
  };
}

/** `list_commits`: commits of a branch, newest first (same name and arguments as github-mcp-server). */
export const listCommits = defineTool({
  name: 'list_commits',
  title: 'List commits',
  description:
    'Get the list of commits of a branch in a GitHub repository, newest first: SHA, first line of the message, ' +
    'author and committer with dates. Filter by path, author, since and until. Paginated (30 per page by ' +
    'default, up to 100); when nextPage is not null, call again with that page for more.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    sha: refArg
      .optional()
      .describe(
        'Commit SHA, branch or tag name to list commits of. If not provided, uses the default branch.',
      ),
    path: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe('Only commits containing this file path will be returned'),
    author: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Author username or email address to filter commits by'),
    since: isoDateArg
      .optional()
      .describe('Only commits after this date (ISO 8601: YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD)'),
    until: isoDateArg
      .optional()
      .describe('Only commits before this date (ISO 8601: YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD)'),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: z.object({
    items: z.array(commitSummarySchema),
    page: z.number().int(),
    perPage: z.number().int(),
    nextPage: z.number().int().nullable().describe('Page to ask for next; null on the last page'),
  }),
  annotations: readAnnotations('List commits'),
  scopes: [],
  readOnly: true,
  toolset: 'repos',
  async handler(args, context) {
    const result = await paginate(clientFor(context), repoPath(args.owner, args.repo, '/commits'), {
      page: args.page,
      perPage: args.perPage,
      query: { sha: args.sha, path: args.path, author: args.author, since: args.since, until: args.until },
    });
    const items = result.items.map(toSummary);
    const structured = { items, ...pageFields(result) };
    const text = renderList(
      `Commits of ${args.owner}/${args.repo}${args.sha ? ` at ${args.sha}` : ''}:`,
      items,
      (c) =>
        `${c.sha.slice(0, 7)} ${c.message} (${c.author.login ?? c.author.name ?? 'unknown'}, ${c.author.date ?? ''})`,
      structured,
    );
    return { structured, text };
  },
});

/** `get_commit`: one commit with its changed files (same name and arguments as github-mcp-server). */
export const getCommit = defineTool({
  name: 'get_commit',
  title: 'Get commit details',
  description:
    'Get details for a commit from a GitHub repository: full message (shortened when very long), author, ' +
    'committer, parents, line stats and the changed files with their diffs (patches are shortened; pass ' +
    'include_diff: false to leave them out). The file list is paginated; when nextPage is not null, call ' +
    'again with that page for more files.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    sha: refArg.describe('Commit SHA, branch name, or tag name'),
    include_diff: z
      .boolean()
      .default(true)
      .describe('Whether to include file diffs and stats in the response. Default is true.'),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: commitSummarySchema.extend({
    message: z.string().describe('Commit message, possibly shortened'),
    parents: z.array(z.string()),
    stats: z.object({
      additions: z.number().int().nullable(),
      deletions: z.number().int().nullable(),
      total: z.number().int().nullable(),
    }),
    files: z.array(fileChangeSchema),
    page: z.number().int(),
    perPage: z.number().int(),
    nextPage: z.number().int().nullable().describe('Page of files to ask for next; null on the last page'),
  }),
  annotations: readAnnotations('Get commit details'),
  scopes: [],
  readOnly: true,
  toolset: 'repos',
  async handler(args, context) {
    const { data, headers } = await clientFor(context).request<unknown>(
      'GET',
      repoPath(args.owner, args.repo, `/commits/${encodeSegments(args.sha)}`),
      { query: { page: args.page, per_page: args.perPage } },
    );
    const raw = obj(data);
    const stats = obj(raw.stats);
    const budget = createTextBudget(PATCHES_TOTAL_CHARS);
    const structured = {
      ...toSummary(raw),
      message: clip(obj(raw.commit).message, 5000).text ?? '',
      parents: arr(raw.parents)
        .map((p) => str(obj(p).sha))
        .filter((sha): sha is string => sha !== null),
      stats: { additions: int(stats.additions), deletions: int(stats.deletions), total: int(stats.total) },
      files: arr(raw.files).map((file) => toFileChange(file, budget, args.include_diff)),
      ...pageFields(pageInfo(headers, args.page, args.perPage)),
    };
    const text = [
      `Commit ${structured.sha} by ${structured.author.login ?? structured.author.name ?? 'unknown'} (${structured.author.date ?? ''})`,
      structured.message,
      `+${structured.stats.additions ?? 0} −${structured.stats.deletions ?? 0} in ${structured.files.length} files:`,
      ...structured.files.map((f) => `- ${fileChangeLine(f)}`),
      pageHint(structured),
    ].join('\n');
    return { structured, text };
  },
});
