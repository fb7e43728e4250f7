import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { paginate } from '../api/paginate.js';
import { repoPath } from '../api/paths.js';
import { DETAIL_BODY_CHARS, LIST_BODY_CHARS } from '../api/trim.js';
import { readAnnotations } from './shared/annotations.js';
import { isoDateArg, labelsArg, numberArg, ownerArg, pageArg, perPageArg, repoArg } from './shared/args.js';
import { issueLine, issueSchema, toIssue } from './shared/issue.js';
import { ellipsis, pageFields, renderList } from './shared/render.js';

/** `list_issues`: issues of a repository (same name and arguments as github-mcp-server's REST version). */
export const listIssues = defineTool({
  name: 'list_issues',
  title: 'List issues',
  description:
    'List issues in a GitHub repository, filtered by state (open by default), labels and since, sorted by ' +
    'created, updated or comments. GitHub counts pull requests as issues: those items have is_pull_request ' +
    `true. Bodies are shortened to ${LIST_BODY_CHARS} characters; use get_issue for the full text. ` +
    'Paginated; when nextPage is not null, call again with that page for more.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    state: z.enum(['open', 'closed', 'all']).optional().describe('Filter by state'),
    labels: labelsArg.optional().describe('Filter by labels'),
    sort: z.enum(['created', 'updated', 'comments']).optional().describe('What to sort results by'),
    direction: z.enum(['asc', 'desc']).optional().describe('Sort direction'),
    since: isoDateArg.optional().describe('Filter by date (ISO 8601 timestamp)'),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: z.object({
    items: z.array(issueSchema),
    page: z.number().int(),
    perPage: z.number().int(),
    nextPage: z.number().int().nullable().describe('Page to ask for next; null on the last page'),
  }),
  annotations: readAnnotations('List issues'),
  scopes: [],
  readOnly: true,
  toolset: 'issues',
  async handler(args, context) {
    const result = await paginate(clientFor(context), repoPath(args.owner, args.repo, '/issues'), {
      page: args.page,
      perPage: args.perPage,
      query: {
        state: args.state,
        labels: args.labels?.join(','),
        sort: args.sort,
        direction: args.direction,
        since: args.since,
      },
    });
    const items = result.items.map((item) => toIssue(item, LIST_BODY_CHARS));
    const structured = { items, ...pageFields(result) };
    return {
      structured,
      text: renderList(`Issues of ${args.owner}/${args.repo}:`, items, issueLine, structured),
    };
  },
});

/** `get_issue`: one issue with its body (same name and arguments as github-mcp-server). */
export const getIssue = defineTool({
  name: 'get_issue',
  title: 'Get issue details',
  description:
    'Get details of a specific issue in a GitHub repository: title, state, author, labels, assignees, ' +
    `milestone, comment count, dates and the Markdown body (shortened beyond ${DETAIL_BODY_CHARS} characters; ` +
    'body_truncated tells). Works for pull request numbers too (is_pull_request is then true).',
  input: z.object({
    owner: ownerArg.describe('The owner of the repository'),
    repo: repoArg.describe('The name of the repository'),
    issue_number: numberArg.describe('The number of the issue'),
  }),
  output: issueSchema,
  annotations: readAnnotations('Get issue details'),
  scopes: [],
  readOnly: true,
  toolset: 'issues',
  async handler(args, context) {
    const { data } = await clientFor(context).request<unknown>(
      'GET',
      repoPath(args.owner, args.repo, `/issues/${args.issue_number}`),
    );
    const structured = toIssue(data, DETAIL_BODY_CHARS);
    const text = [
      issueLine(structured),
      `Assignees: ${structured.assignees.join(', ') || 'none'}; comments: ${structured.comments ?? 0}; ${structured.html_url ?? ''}`,
      '',
      ellipsis(structured.body, structured.body_truncated),
    ].join('\n');
    return { structured, text };
  },
});
