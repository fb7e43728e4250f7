import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { paginate } from '../api/paginate.js';
import { LIST_BODY_CHARS } from '../api/trim.js';
import { readAnnotations } from './shared/annotations.js';
import { orderArg, ownerArg, pageArg, perPageArg, repoArg, searchQueryArg } from './shared/args.js';
import { issueLine, issueSchema, toIssue } from './shared/issue.js';
import { renderList } from './shared/render.js';
import { searchOutput, searchResult } from './shared/search.js';

/** Adds `is:issue` (GitHub requires `is:issue` or `is:pull-request`) and `repo:owner/repo` when given. */
function scopedQuery(query: string, owner?: string, repo?: string): string {
  let q = query;
  if (!/\b(?:is|type):(?:issue|pr|pull-request)\b/i.test(q)) q = `is:issue ${q}`;
  if (owner && repo && !/\brepo:/i.test(q)) q = `repo:${owner}/${repo} ${q}`;
  return q;
}

/** `search_issues`: issue search across GitHub (same name and arguments as github-mcp-server). */
export const searchIssues = defineTool({
  name: 'search_issues',
  title: 'Search issues',
  description:
    'Search issues across GitHub with GitHub search syntax (e.g. "memory leak label:bug state:open", ' +
    '"author:octocat created:>2024-01-01"). Scoped to issues (is:issue is added unless the query names is:pr), ' +
    'and to one repository when both owner and repo are given. Returns the total count and one page of issues ' +
    'with their repository; when nextPage is not null, call again with that page for more.',
  input: z.object({
    query: searchQueryArg.describe('Search query in GitHub issue search syntax'),
    owner: ownerArg
      .optional()
      .describe(
        'Optional repository owner. If provided with repo, only issues for this repository are listed.',
      ),
    repo: repoArg
      .optional()
      .describe(
        'Optional repository name. If provided with owner, only issues for this repository are listed.',
      ),
    sort: z
      .enum([
        'comments',
        'reactions',
        'reactions-+1',
        'reactions--1',
        'reactions-smile',
        'reactions-thinking_face',
        'reactions-heart',
        'reactions-tada',
        'interactions',
        'created',
        'updated',
      ])
      .optional()
      .describe('Sort field by number of matches of categories, defaults to best match'),
    order: orderArg.optional(),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: searchOutput(issueSchema),
  annotations: readAnnotations('Search issues'),
  scopes: [],
  readOnly: true,
  toolset: 'issues',
  async handler(args, context) {
    const q = scopedQuery(args.query, args.owner, args.repo);
    const result = await paginate(clientFor(context), '/search/issues', {
      page: args.page,
      perPage: args.perPage,
      query: { q, sort: args.sort, order: args.order },
    });
    const items = result.items.map((item) => toIssue(item, LIST_BODY_CHARS));
    const structured = searchResult(result, items);
    return {
      structured,
      text: renderList(`${structured.total_count} issues match "${q}".`, items, issueLine, structured),
    };
  },
});
