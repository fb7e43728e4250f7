import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { arr, obj, str } from '../api/json.js';
import { paginate } from '../api/paginate.js';
import { clip } from '../api/trim.js';
import { readAnnotations } from './shared/annotations.js';
import { orderArg, pageArg, perPageArg, searchQueryArg } from './shared/args.js';
import { renderList } from './shared/render.js';
import { searchOutput, searchResult } from './shared/search.js';

/** Asks GitHub for the matching fragments along with the results. */
const TEXT_MATCH = 'application/vnd.github.text-match+json';

const codeResultSchema = z.object({
  name: z.string(),
  path: z.string(),
  sha: z.string().nullable(),
  repository: z.string().nullable().describe('owner/repo'),
  html_url: z.string().nullable(),
  fragments: z.array(z.string()).describe('Snippets around the matches (shortened)'),
});

function toCodeResult(value: unknown): z.infer<typeof codeResultSchema> {
  const raw = obj(value);
  return {
    name: str(raw.name) ?? '',
    path: str(raw.path) ?? '',
    sha: str(raw.sha),
    repository: str(obj(raw.repository).full_name),
    html_url: str(raw.html_url),
    fragments: arr(raw.text_matches)
      .slice(0, 3)
      .map((match) => clip(obj(match).fragment, 300).text)
      .filter((fragment): fragment is string => fragment !== null),
  };
}

/** `search_code`: code search across GitHub (same name and arguments as github-mcp-server). */
export const searchCode = defineTool({
  name: 'search_code',
  title: 'Search code',
  description:
    'Search code across GitHub repositories with GitHub code search syntax: terms are ANDed; qualifiers ' +
    'repo:owner/repo, org:, user:, language:, path:, filename:, extension: narrow it (e.g. ' +
    '"createServer language:typescript repo:octo/app"). Returns the total count and one page of files ' +
    '(repository, path, blob sha) with short matching fragments; read a file with get_file_contents. When ' +
    'nextPage is not null, call again with that page for more.',
  input: z.object({
    query: searchQueryArg.describe('Search query in GitHub code search syntax (max 256 characters)'),
    sort: z.enum(['indexed']).optional().describe("Sort field ('indexed' only)"),
    order: orderArg.optional().describe('Sort order for results'),
    page: pageArg,
    perPage: perPageArg,
  }),
  output: searchOutput(codeResultSchema),
  annotations: readAnnotations('Search code'),
  scopes: [],
  readOnly: true,
  toolset: 'search',
  async handler(args, context) {
    const result = await paginate(clientFor(context), '/search/code', {
      page: args.page,
      perPage: args.perPage,
      query: { q: args.query, sort: args.sort, order: args.order },
      accept: TEXT_MATCH,
    });
    const items = result.items.map(toCodeResult);
    const structured = searchResult(result, items);
    const text = renderList(
      `${structured.total_count} code results for "${args.query}".`,
      items,
      (c) =>
        `${c.repository ?? '?'}: ${c.path}${c.fragments[0] ? ` — ${c.fragments[0].replace(/\s+/g, ' ')}` : ''}`,
      structured,
    );
    return { structured, text };
  },
});
