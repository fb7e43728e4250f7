import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { paginate } from '../api/paginate.js';
import { repoPath } from '../api/paths.js';
import { createTextBudget, DETAIL_BODY_CHARS, LIST_BODY_CHARS, PATCHES_TOTAL_CHARS } from '../api/trim.js';
import { readAnnotations } from './shared/annotations.js';
import { numberArg, ownerArg, pageArg, perPageArg, refArg, repoArg } from './shared/args.js';
import { fileChangeLine, fileChangeSchema, toFileChange } from './shared/changes.js';
import { pullLine, pullSchema, toPull } from './shared/pull.js';
import { ellipsis, pageFields, renderList } from './shared/render.js';

const pageOutput = {
  page: z.number().int(),
  perPage: z.number().int(),
  nextPage: z.number().int().nullable().describe('Page to ask for next; null on the last page'),
};

/** `list_pull_requests`: pull requests of a repository (same name and arguments as github-mcp-server). */
export const listPullRequests = defineTool({
  name: 'list_pull_requests',
  title: 'List pull requests',
  description:
    'List pull requests in a GitHub repository, filtered by state (open by default), head (user:branch) and ' +
    'base branch, sorted by created, updated, popularity or long-running. Detail fields such as merged, ' +
    `mergeable and line counts are null here; use get_pull_request. Bodies are shortened to ${LIST_BODY_CHARS} ` +
    'characters. Paginated; when nextPage is not null, call again with that page for more.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    state: z.enum(['open', 'closed', 'all']).optional().describe('Filter by state'),
    head: z.string().min(1).max(256).optional().describe('Filter by head user/org and branch (user:branch)'),
    base: refArg.optional().describe('Filter by base branch'),
    sort: z.enum(['created', 'updated', 'popularity', 'long-running']).optional().describe('Sort by'),
    direction: z.enum(['asc', 'desc']).optional().describe('Sort direction'),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: z.object({ items: z.array(pullSchema), ...pageOutput }),
  annotations: readAnnotations('List pull requests'),
  scopes: [],
  readOnly: true,
  toolset: 'pull_requests',
  async handler(args, context) {
    const result = await paginate(clientFor(context), repoPath(args.owner, args.repo, '/pulls'), {
      page: args.page,
      perPage: args.perPage,
      query: {
        state: args.state,
        head: args.head,
        base: args.base,
        sort: args.sort,
        direction: args.direction,
      },
    });
    const items = result.items.map((item) => toPull(item, LIST_BODY_CHARS));
    const structured = { items, ...pageFields(result) };
    return {
      structured,
      text: renderList(`Pull requests of ${args.owner}/${args.repo}:`, items, pullLine, structured),
    };
  },
});

/** `get_pull_request`: one pull request in detail (same name and arguments as github-mcp-server). */
export const getPullRequest = defineTool({
  name: 'get_pull_request',
  title: 'Get pull request details',
  description:
    'Get details of a specific pull request in a GitHub repository: state, draft, merged, mergeable and ' +
    'mergeable_state, head and base branches with SHAs, author, reviewers, line and file counts, dates and the ' +
    `Markdown body (shortened beyond ${DETAIL_BODY_CHARS} characters). Use get_pull_request_files for the diff.`,
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    pullNumber: numberArg.describe('Pull request number'),
  }),
  output: pullSchema,
  annotations: readAnnotations('Get pull request details'),
  scopes: [],
  readOnly: true,
  toolset: 'pull_requests',
  async handler(args, context) {
    const { data } = await clientFor(context).request<unknown>(
      'GET',
      repoPath(args.owner, args.repo, `/pulls/${args.pullNumber}`),
    );
    const structured = toPull(data, DETAIL_BODY_CHARS);
    const text = [
      pullLine(structured),
      `mergeable: ${structured.mergeable ?? 'unknown'} (${structured.mergeable_state ?? 'unknown'}); ` +
        `+${structured.additions ?? 0} −${structured.deletions ?? 0} in ${structured.changed_files ?? 0} files; ` +
        `${structured.html_url ?? ''}`,
      '',
      ellipsis(structured.body, structured.body_truncated),
    ].join('\n');
    return { structured, text };
  },
});

/** `get_pull_request_files`: the changed files of a pull request (same name and arguments as github-mcp-server). */
export const getPullRequestFiles = defineTool({
  name: 'get_pull_request_files',
  title: 'Get pull request files',
  description:
    'Get the files changed in a specific pull request: filename, status, additions, deletions and the diff ' +
    'patch (shortened when long; patch_truncated tells). Paginated; when nextPage is not null, call again ' +
    'with that page for more files.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    pullNumber: numberArg.describe('Pull request number'),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: z.object({ items: z.array(fileChangeSchema), ...pageOutput }),
  annotations: readAnnotations('Get pull request files'),
  scopes: [],
  readOnly: true,
  toolset: 'pull_requests',
  async handler(args, context) {
    const result = await paginate(
      clientFor(context),
      repoPath(args.owner, args.repo, `/pulls/${args.pullNumber}/files`),
      { page: args.page, perPage: args.perPage },
    );
    const budget = createTextBudget(PATCHES_TOTAL_CHARS);
    const items = result.items.map((item) => toFileChange(item, budget));
    const structured = { items, ...pageFields(result) };
    return {
      structured,
      text: renderList(
        `Files changed in ${args.owner}/${args.repo}#${args.pullNumber}:`,
        items,
        fileChangeLine,
        structured,
      ),
    };
  },
});
