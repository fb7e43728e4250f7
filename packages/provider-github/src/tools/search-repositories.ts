import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { bool, int, names, obj, str } from '../api/json.js';
import { paginate } from '../api/paginate.js';
import { clip } from '../api/trim.js';
import { readAnnotations } from './shared/annotations.js';
import { orderArg, pageArg, perPageArg, searchQueryArg } from './shared/args.js';
import { renderList } from './shared/render.js';
import { searchOutput, searchResult } from './shared/search.js';

const repositorySchema = z.object({
  id: z.number().int(),
  full_name: z.string().describe('owner/repo'),
  name: z.string(),
  owner: z.string().nullable(),
  description: z.string().nullable(),
  private: z.boolean(),
  fork: z.boolean(),
  archived: z.boolean(),
  html_url: z.string().nullable(),
  default_branch: z.string().nullable(),
  language: z.string().nullable(),
  topics: z.array(z.string()),
  stargazers_count: z.number().int().nullable(),
  forks_count: z.number().int().nullable(),
  open_issues_count: z.number().int().nullable(),
  updated_at: z.string().nullable(),
  pushed_at: z.string().nullable(),
});

function toRepository(value: unknown): z.infer<typeof repositorySchema> {
  const raw = obj(value);
  return {
    id: int(raw.id) ?? 0,
    full_name: str(raw.full_name) ?? '',
    name: str(raw.name) ?? '',
    owner: str(obj(raw.owner).login),
    description: clip(raw.description, 300).text,
    private: raw.private === true,
    fork: raw.fork === true,
    archived: bool(raw.archived) ?? false,
    html_url: str(raw.html_url),
    default_branch: str(raw.default_branch),
    language: str(raw.language),
    topics: names(raw.topics).slice(0, 20),
    stargazers_count: int(raw.stargazers_count),
    forks_count: int(raw.forks_count),
    open_issues_count: int(raw.open_issues_count),
    updated_at: str(raw.updated_at),
    pushed_at: str(raw.pushed_at),
  };
}

/** `search_repositories`: GitHub repository search (same name and arguments as github-mcp-server). */
export const searchRepositories = defineTool({
  name: 'search_repositories',
  title: 'Search repositories',
  description:
    'Find GitHub repositories by name, description, readme, topics or other metadata, using GitHub search ' +
    "syntax (e.g. 'machine learning in:name stars:>1000 language:python', 'topic:react', 'user:facebook'). " +
    'Returns one page of repositories (full name, description, visibility, language, stars, default branch) ' +
    'with the total count; when nextPage is not null, call again with that page for more. Private ' +
    'repositories appear only when the connection has the repo scope.',
  input: z.object({
    query: searchQueryArg.describe('Repository search query in GitHub search syntax'),
    sort: z
      .enum(['stars', 'forks', 'help-wanted-issues', 'updated'])
      .optional()
      .describe('Sort repositories by field, defaults to best match'),
    order: orderArg.optional(),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: searchOutput(repositorySchema),
  annotations: readAnnotations('Search repositories'),
  scopes: [],
  readOnly: true,
  toolset: 'search',
  async handler(args, context) {
    const result = await paginate(clientFor(context), '/search/repositories', {
      page: args.page,
      perPage: args.perPage,
      query: { q: args.query, sort: args.sort, order: args.order },
    });
    const structured = searchResult(result, result.items.map(toRepository));
    const text = renderList(
      `${structured.total_count} repositories match "${args.query}".`,
      structured.items,
      (r) =>
        `${r.full_name}${r.private ? ' (private)' : ''} ★${r.stargazers_count ?? 0} ${r.language ?? ''} — ${r.description ?? ''}`.trim(),
      structured,
    );
    return { structured, text };
  },
});
