import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { obj, str } from '../api/json.js';
import { paginate } from '../api/paginate.js';
import { repoPath } from '../api/paths.js';
import { readAnnotations } from './shared/annotations.js';
import { ownerArg, pageArg, perPageArg, repoArg } from './shared/args.js';
import { pageFields, renderList } from './shared/render.js';

const branchSchema = z.object({
  name: z.string(),
  sha: z.string().nullable().describe('SHA of the commit at the tip of the branch'),
  protected: z.boolean(),
});

/** `list_branches`: branches of a repository (same name and arguments as github-mcp-server). */
export const listBranches = defineTool({
  name: 'list_branches',
  title: 'List branches',
  description:
    'List branches in a GitHub repository: name, SHA of the tip commit and whether the branch is protected. ' +
    'Paginated; when nextPage is not null, call again with that page for more.',
  input: z.object({ owner: ownerArg, repo: repoArg, page: pageArg, perPage: perPageArg }),
  output: z.object({
    items: z.array(branchSchema),
    page: z.number().int(),
    perPage: z.number().int(),
    nextPage: z.number().int().nullable().describe('Page to ask for next; null on the last page'),
  }),
  annotations: readAnnotations('List branches'),
  scopes: [],
  readOnly: true,
  toolset: 'repos',
  async handler(args, context) {
    const result = await paginate(clientFor(context), repoPath(args.owner, args.repo, '/branches'), {
      page: args.page,
      perPage: args.perPage,
    });
    const items = result.items.map((value) => {
      const raw = obj(value);
      return { name: str(raw.name) ?? '', sha: str(obj(raw.commit).sha), protected: raw.protected === true };
    });
    const structured = { items, ...pageFields(result) };
    const text = renderList(
      `Branches of ${args.owner}/${args.repo}:`,
      items,
      (b) => `${b.name} ${b.sha?.slice(0, 7) ?? ''}${b.protected ? ' (protected)' : ''}`,
      structured,
    );
    return { structured, text };
  },
});
