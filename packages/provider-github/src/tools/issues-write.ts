import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { int, obj, str } from '../api/json.js';
import { repoPath } from '../api/paths.js';
import { clip, DETAIL_BODY_CHARS, LIST_BODY_CHARS } from '../api/trim.js';
import { writeAnnotations } from './shared/annotations.js';
import { bodyArg, labelsArg, loginsArg, numberArg, ownerArg, repoArg, titleArg } from './shared/args.js';
import { issueLine, issueSchema, toIssue } from './shared/issue.js';

/** `create_issue`: opens an issue (same name and arguments as github-mcp-server). */
export const createIssue = defineTool({
  name: 'create_issue',
  title: 'Create issue',
  description:
    'Create a new issue in a GitHub repository with a title and optional Markdown body, assignees (logins), ' +
    'labels and milestone number. Returns the created issue with its number and URL. Needs the repo scope.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    title: titleArg.describe('Issue title'),
    body: bodyArg.optional().describe('Issue body content'),
    assignees: loginsArg.optional().describe('Usernames to assign to this issue'),
    labels: labelsArg.optional().describe('Labels to apply to this issue'),
    milestone: numberArg.optional().describe('Milestone number'),
  }),
  output: issueSchema,
  annotations: writeAnnotations('Create issue', { destructive: false, idempotent: false }),
  scopes: ['repo'],
  readOnly: false,
  toolset: 'issues',
  async handler(args, context) {
    const { owner, repo, ...fields } = args;
    const { data } = await clientFor(context).request<unknown>('POST', repoPath(owner, repo, '/issues'), {
      body: fields,
    });
    const structured = toIssue(data, DETAIL_BODY_CHARS);
    return { structured, text: `Created ${issueLine(structured)}: ${structured.html_url ?? ''}` };
  },
});

/** `update_issue`: edits an issue (same name and arguments as github-mcp-server). */
export const updateIssue = defineTool({
  name: 'update_issue',
  title: 'Edit issue',
  description:
    'Update an existing issue in a GitHub repository: title, body, state (open/closed) with state_reason, ' +
    'labels, assignees or milestone. Only the fields given change; labels and assignees given replace the ' +
    'current ones. Also works on pull requests by number. Returns the updated issue. Needs the repo scope.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    issue_number: numberArg.describe('Issue number to update'),
    title: titleArg.optional().describe('New title'),
    body: bodyArg.optional().describe('New description'),
    state: z.enum(['open', 'closed']).optional().describe('New state'),
    state_reason: z
      .enum(['completed', 'not_planned', 'duplicate', 'reopened'])
      .optional()
      .describe('Reason for the state change, ignored unless state is changed.'),
    labels: labelsArg.optional().describe('New labels'),
    assignees: loginsArg.optional().describe('New assignees'),
    milestone: numberArg.optional().describe('New milestone number'),
  }),
  output: issueSchema,
  annotations: writeAnnotations('Edit issue', { destructive: true, idempotent: true }),
  scopes: ['repo'],
  readOnly: false,
  toolset: 'issues',
  async handler(args, context) {
    const { owner, repo, issue_number, ...fields } = args;
    const { data } = await clientFor(context).request<unknown>(
      'PATCH',
      repoPath(owner, repo, `/issues/${issue_number}`),
      { body: fields },
    );
    const structured = toIssue(data, DETAIL_BODY_CHARS);
    return { structured, text: `Updated ${issueLine(structured)}: ${structured.html_url ?? ''}` };
  },
});

/** `add_issue_comment`: comments on an issue or pull request (same name and arguments as github-mcp-server). */
export const addIssueComment = defineTool({
  name: 'add_issue_comment',
  title: 'Add comment to issue',
  description:
    'Add a Markdown comment to a specific issue in a GitHub repository. Use it for pull requests as well ' +
    '(pass the pull request number as issue_number) unless the user asks for a review comment on code. ' +
    'Returns the comment id and URL. Needs the repo scope.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    issue_number: numberArg.describe('Issue number to comment on'),
    body: bodyArg.min(1).describe('Comment content'),
  }),
  output: z.object({
    id: z.number().int(),
    html_url: z.string().nullable(),
    user: z.string().nullable(),
    created_at: z.string().nullable(),
    body: z
      .string()
      .nullable()
      .describe(`The comment as stored, shortened beyond ${LIST_BODY_CHARS} characters`),
  }),
  annotations: writeAnnotations('Add comment to issue', { destructive: false, idempotent: false }),
  scopes: ['repo'],
  readOnly: false,
  toolset: 'issues',
  async handler(args, context) {
    const { data } = await clientFor(context).request<unknown>(
      'POST',
      repoPath(args.owner, args.repo, `/issues/${args.issue_number}/comments`),
      { body: { body: args.body } },
    );
    const raw = obj(data);
    const structured = {
      id: int(raw.id) ?? 0,
      html_url: str(raw.html_url),
      user: str(obj(raw.user).login),
      created_at: str(raw.created_at),
      body: clip(raw.body, LIST_BODY_CHARS).text,
    };
    return {
      structured,
      text: `Commented on ${args.owner}/${args.repo}#${args.issue_number}: ${structured.html_url ?? ''}`,
    };
  },
});
