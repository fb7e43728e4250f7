import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { obj, str } from '../api/json.js';
import { encodeSegments, repoPath } from '../api/paths.js';
import { writeAnnotations } from './shared/annotations.js';
import { ownerArg, refArg, repoArg } from './shared/args.js';

/** `create_branch`: a new branch from another branch's tip (same name and arguments as github-mcp-server). */
export const createBranch = defineTool({
  name: 'create_branch',
  title: 'Create branch',
  description:
    'Create a new branch in a GitHub repository, starting at the tip of from_branch (the repository’s ' +
    'default branch when omitted). Fails with "Reference already exists" when the branch exists. Returns ' +
    'the full ref and the commit SHA it points to. Needs the repo scope.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    branch: refArg.describe('Name for new branch'),
    from_branch: refArg.optional().describe('Source branch (defaults to repo default)'),
  }),
  output: z.object({
    ref: z.string().describe('Fully qualified reference, such as refs/heads/my-branch'),
    sha: z.string().describe('Commit the new branch points to'),
    from_branch: z.string(),
  }),
  annotations: writeAnnotations('Create branch', { destructive: false, idempotent: false }),
  scopes: ['repo'],
  readOnly: false,
  toolset: 'repos',
  async handler(args, context) {
    const client = clientFor(context);
    let from = args.from_branch;
    if (from === undefined) {
      const { data } = await client.request<unknown>('GET', repoPath(args.owner, args.repo));
      from = str(obj(data).default_branch) ?? 'main';
    }
    const { data: source } = await client.request<unknown>(
      'GET',
      repoPath(args.owner, args.repo, `/git/ref/heads/${encodeSegments(from)}`),
    );
    const sha = str(obj(obj(source).object).sha) ?? '';
    const { data } = await client.request<unknown>('POST', repoPath(args.owner, args.repo, '/git/refs'), {
      body: { ref: `refs/heads/${args.branch}`, sha },
    });
    const created = obj(data);
    const structured = {
      ref: str(created.ref) ?? `refs/heads/${args.branch}`,
      sha: str(obj(created.object).sha) ?? sha,
      from_branch: from,
    };
    return {
      structured,
      text: `Created branch ${args.branch} in ${args.owner}/${args.repo} from ${from} at ${structured.sha}.`,
    };
  },
});
