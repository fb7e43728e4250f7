import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { int, obj, str } from '../api/json.js';
import { paginate } from '../api/paginate.js';
import { readAnnotations } from './shared/annotations.js';
import { orderArg, pageArg, perPageArg, searchQueryArg } from './shared/args.js';
import { renderList } from './shared/render.js';
import { searchOutput, searchResult } from './shared/search.js';

const userResultSchema = z.object({
  login: z.string(),
  id: z.number().int().nullable(),
  type: z.string().nullable().describe('User or Organization'),
  html_url: z.string().nullable(),
  avatar_url: z.string().nullable(),
});

/** `search_users`: user search (same name and arguments as github-mcp-server). */
export const searchUsers = defineTool({
  name: 'search_users',
  title: 'Search users',
  description:
    'Find GitHub users by username, real name or other profile information, with GitHub search syntax ' +
    "(e.g. 'john smith', 'location:seattle', 'followers:>100'). The search is scoped to type:user unless the " +
    'query names a type. Returns the total count and one page of logins with profile URLs; when nextPage is ' +
    'not null, call again with that page for more.',
  input: z.object({
    query: searchQueryArg.describe('User search query in GitHub search syntax'),
    sort: z
      .enum(['followers', 'repositories', 'joined'])
      .optional()
      .describe('Sort users by number of followers or repositories, or when the person joined GitHub.'),
    order: orderArg.optional(),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: searchOutput(userResultSchema),
  annotations: readAnnotations('Search users'),
  scopes: [],
  readOnly: true,
  toolset: 'users',
  async handler(args, context) {
    const q = /\btype:/i.test(args.query) ? args.query : `type:user ${args.query}`;
    const result = await paginate(clientFor(context), '/search/users', {
      page: args.page,
      perPage: args.perPage,
      query: { q, sort: args.sort, order: args.order },
    });
    const items = result.items.map((value) => {
      const raw = obj(value);
      return {
        login: str(raw.login) ?? '',
        id: int(raw.id),
        type: str(raw.type),
        html_url: str(raw.html_url),
        avatar_url: str(raw.avatar_url),
      };
    });
    const structured = searchResult(result, items);
    return {
      structured,
      text: renderList(
        `${structured.total_count} users match "${q}".`,
        items,
        (u) => `${u.login} (${u.type ?? 'User'}) ${u.html_url ?? ''}`,
        structured,
      ),
    };
  },
});
