import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { obj, str } from '../api/json.js';
import { repoPath } from '../api/paths.js';
import { DETAIL_BODY_CHARS } from '../api/trim.js';
import { writeAnnotations } from './shared/annotations.js';
import { bodyArg, numberArg, ownerArg, refArg, repoArg, titleArg } from './shared/args.js';
import { pullLine, pullSchema, toPull } from './shared/pull.js';

/** `create_pull_request`: opens a pull request (same name and arguments as github-mcp-server). */
export const createPullRequest = defineTool({
  name: 'create_pull_request',
  title: 'Open new pull request',
  description:
    'Create a new pull request in a GitHub repository, proposing to merge head (a branch, or owner:branch ' +
    'for a fork) into base. GitHub refuses it when there are no commits between them or when a pull request ' +
    'for head already exists. Returns the created pull request with its number and URL. Needs the repo scope.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    title: titleArg.describe('PR title'),
    head: z.string().min(1).max(256).describe('Branch containing changes, or owner:branch for a fork'),
    base: refArg.describe('Base branch name to merge into, e.g. main'),
    body: bodyArg.optional().describe('PR description; Markdown supported'),
    draft: z.boolean().optional().describe('Create as draft PR'),
    maintainer_can_modify: z.boolean().optional().describe('Allow maintainer edits'),
  }),
  output: pullSchema,
  annotations: writeAnnotations('Open new pull request', { destructive: false, idempotent: false }),
  scopes: ['repo'],
  readOnly: false,
  toolset: 'pull_requests',
  async handler(args, context) {
    const { owner, repo, ...fields } = args;
    const { data } = await clientFor(context).request<unknown>('POST', repoPath(owner, repo, '/pulls'), {
      body: fields,
    });
    const structured = toPull(data, DETAIL_BODY_CHARS);
    return { structured, text: `Opened ${pullLine(structured)}: ${structured.html_url ?? ''}` };
  },
});

/** `merge_pull_request`: merges a pull request (same name and arguments as github-mcp-server). */
export const mergePullRequest = defineTool({
  name: 'merge_pull_request',
  title: 'Merge pull request',
  description:
    'Merge a pull request in a GitHub repository with a merge commit, squash or rebase (merge_method). ' +
    'This changes the base branch and cannot simply be undone. GitHub answers "Pull Request is not mergeable" ' +
    'when it has conflicts, is closed or blocked by branch protection. Returns the merge commit SHA. Needs ' +
    'the repo scope.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    pullNumber: numberArg.describe('Pull request number'),
    commit_title: z.string().min(1).max(256).optional().describe('Title for merge commit'),
    commit_message: z.string().max(65_536).optional().describe('Extra detail for merge commit'),
    merge_method: z.enum(['merge', 'squash', 'rebase']).optional().describe('Merge method'),
  }),
  output: z.object({
    merged: z.boolean(),
    sha: z.string().nullable().describe('SHA of the merge (or squash/rebase) commit'),
    message: z.string(),
  }),
  annotations: writeAnnotations('Merge pull request', { destructive: true, idempotent: false }),
  scopes: ['repo'],
  readOnly: false,
  toolset: 'pull_requests',
  async handler(args, context) {
    const { owner, repo, pullNumber, ...fields } = args;
    const { data } = await clientFor(context).request<unknown>(
      'PUT',
      repoPath(owner, repo, `/pulls/${pullNumber}/merge`),
      { body: fields },
    );
    const raw = obj(data);
    const structured = {
      merged: raw.merged === true,
      sha: str(raw.sha),
      message: str(raw.message) ?? '',
    };
    return {
      structured,
      text: `${structured.message || 'Merged'}: ${owner}/${repo}#${pullNumber} at ${structured.sha ?? '?'}.`,
    };
  },
});
