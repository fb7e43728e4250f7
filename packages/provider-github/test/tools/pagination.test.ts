import type { ToolContext, ToolDefinition } from '@org/mcp-oauth-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubTools } from '../../src/index.js';
import { call, startWorld, type World } from './world.js';

/**
 * Every tool whose output has `nextPage`, walked page by page over real HTTP against the fake GitHub: the next
 * page comes from the `Link` header, not from the number of items.
 */

const repo = { owner: 'octocat', repo: 'hello-world' };

/** Per paginated tool: arguments reaching at least 3 items in the world below, and where the items are. */
const CASES: Record<string, { args: Record<string, unknown>; items: 'items' | 'files' }> = {
  list_branches: { args: repo, items: 'items' },
  list_commits: { args: repo, items: 'items' },
  get_commit: { args: { ...repo, sha: 'wide' }, items: 'files' },
  search_repositories: { args: { query: 'greeting' }, items: 'items' },
  search_code: { args: { query: 'hello' }, items: 'items' },
  list_issues: { args: repo, items: 'items' },
  search_issues: { args: { ...repo, query: 'state:open' }, items: 'items' },
  list_pull_requests: { args: repo, items: 'items' },
  get_pull_request_files: { args: { ...repo, pullNumber: 8 }, items: 'items' },
  search_users: { args: { query: 'type:user' }, items: 'items' },
};

const paginated = githubTools.filter((tool) => 'nextPage' in tool.output.shape);
const searchTools = githubTools.filter((tool) => tool.name.startsWith('search_'));

let w: World;
beforeEach(async () => {
  w = await startWorld();
  // A third pull request (#8, from `wide`) whose single commit changes three files.
  w.gh.fixtures.commit('octocat/hello-world', {
    branch: 'wide',
    message: 'Touch three files',
    files: { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n' },
  });
  w.gh.fixtures.addPull('octocat/hello-world', { title: 'Wide change', head: 'wide' });
});
afterEach(async () => {
  await w.close();
});

/** A full-scope context whose fetch records the `Link` header of every answer, newest last. */
function recordingContext(): { context: ToolContext; links: Array<string | null> } {
  const base = w.full();
  const links: Array<string | null> = [];
  const context: ToolContext = {
    ...base,
    fetch: async (url, init) => {
      const response = await base.fetch(url, init);
      links.push(response.headers.get('link'));
      return response;
    },
  };
  return { context, links };
}

/** The `page` of the `Link` relation `rel`, read independently of the provider's parser. */
function linkPage(header: string | null | undefined, rel: string): number | null {
  for (const part of (header ?? '').split(/,\s*(?=<)/)) {
    const match = /^<([^>]+)>;\s*rel="([^"]+)"$/.exec(part.trim());
    if (match?.[2] === rel) return Number(new URL(match[1] ?? '').searchParams.get('page'));
  }
  return null;
}

function toolNamed(name: string): ToolDefinition {
  const tool = githubTools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
}

describe('pagination of every paginated GitHub tool', () => {
  it('covers exactly the tools whose output has nextPage', () => {
    expect(paginated.map((tool) => tool.name).sort()).toEqual(Object.keys(CASES).sort());
    expect(paginated.length).toBeGreaterThan(0);
  });

  it.each(Object.entries(CASES))(
    '%s follows the Link header to the last page',
    async (name, { args, items }) => {
      const tool = toolNamed(name);
      const { context, links } = recordingContext();
      const seen: string[][] = [];
      let page: number | null = 1;
      while (page !== null) {
        const { structured } = await call(tool, { ...args, perPage: 1, page }, context);
        const link = links.at(-1);
        expect(structured).toMatchObject({ page, perPage: 1 });
        expect(structured.nextPage).toBe(linkPage(link, 'next'));
        if (structured.nextPage !== null) expect(structured.nextPage).toBe(page + 1);
        else expect(linkPage(link, 'last')).toBeNull();
        seen.push((structured[items] as unknown[]).map((item) => JSON.stringify(item)));
        page = structured.nextPage as number | null;
        if (seen.length > 20) throw new Error(`${name} never reached a last page`);
      }
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.every((onePage) => onePage.length === 1)).toBe(true);
      expect(new Set(seen.flat()).size).toBe(seen.length);
      expect(linkPage(links[0], 'last')).toBe(seen.length);
    },
  );

  it.each(Object.entries(CASES))('%s refuses perPage above 100 before calling GitHub', (name, { args }) => {
    const input = toolNamed(name).input;
    expect(input.safeParse({ ...args, perPage: 100 }).success).toBe(true);
    const refused = input.safeParse({ ...args, perPage: 101 });
    expect(refused.error?.issues.map((issue) => issue.path)).toEqual([['perPage']]);
  });
});

describe('incomplete search results', () => {
  it('every search tool is paginated and covered above', () => {
    expect(searchTools.map((tool) => tool.name).sort()).toEqual([
      'search_code',
      'search_issues',
      'search_repositories',
      'search_users',
    ]);
    expect(searchTools.every((tool) => paginated.includes(tool))).toBe(true);
  });

  it.each(searchTools.map((tool) => tool.name))('%s reports incomplete_results', async (name) => {
    const tool = toolNamed(name);
    const { args } = CASES[name] ?? { args: {} };
    const complete = await call(tool, args, w.full());
    expect(complete.structured.incomplete_results).toBe(false);
    w.gh.state.searchIncompleteResults = true;
    const cut = await call(tool, args, w.full());
    expect(cut.structured).toMatchObject({ incomplete_results: true });
    expect((cut.structured.items as unknown[]).length).toBeGreaterThan(0);
  });
});
