import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchCode, searchRepositories, searchUsers } from '../../src/index.js';
import { call, callError, startWorld, type World } from './world.js';

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.close();
});

const fullNames = (items: unknown): string[] =>
  (items as Array<{ full_name: string }>).map((r) => r.full_name);

describe('search_repositories', () => {
  it('matches name, description and topics, sorted by stars; private repositories need repo', async () => {
    const all = await call(searchRepositories, { query: 'greeting' }, w.full());
    expect(all.structured).toMatchObject({ total_count: 3, incomplete_results: false, nextPage: null });
    expect(fullNames(all.structured.items)).toEqual(['octocat/hello-world', 'hubot/tools', 'octocat/secret']);
    const visible = await call(searchRepositories, { query: 'greeting' }, w.readOnly());
    expect(fullNames(visible.structured.items)).toEqual(['octocat/hello-world', 'hubot/tools']);
    expect((visible.structured.items as Array<{ topics: string[] }>)[0]?.topics).toEqual([
      'demo',
      'greeting',
    ]);
  });

  it('applies qualifiers and sort order, and pages with the Link header', async () => {
    const go = await call(searchRepositories, { query: 'language:go' }, w.full());
    expect(fullNames(go.structured.items)).toEqual(['hubot/tools']);
    const asc = await call(
      searchRepositories,
      { query: 'greeting', sort: 'stars', order: 'asc', perPage: 2 },
      w.full(),
    );
    expect(fullNames(asc.structured.items)).toEqual(['octocat/secret', 'hubot/tools']);
    expect(asc.structured.nextPage).toBe(2);
    expect(asc.text).toContain('call again with page: 2');
  });
});

describe('search_code', () => {
  it('finds files with matching fragments, asking for text matches', async () => {
    const { structured, text } = await call(
      searchCode,
      { query: 'greeting language:typescript repo:octocat/hello-world' },
      w.full(),
    );
    expect(structured.items).toEqual([
      {
        name: 'index.ts',
        path: 'src/index.ts',
        sha: expect.stringMatching(/^[0-9a-f]{40}$/),
        repository: 'octocat/hello-world',
        html_url: expect.stringContaining('/octocat/hello-world/blob/main/src/index.ts'),
        fragments: ["export const greeting = 'hello world';"],
      },
    ]);
    expect(text).toContain('octocat/hello-world: src/index.ts');
    expect(w.gh.state.requests.at(-1)?.headers.accept).toBe('application/vnd.github.text-match+json');
  });

  it('pages through results and hides private repositories from a token without repo', async () => {
    const page1 = await call(searchCode, { query: 'hello', perPage: 2 }, w.full());
    expect(page1.structured).toMatchObject({ total_count: 5, nextPage: 2 });
    const page3 = await call(searchCode, { query: 'hello', perPage: 2, page: 3 }, w.full());
    expect(page3.structured.nextPage).toBeNull();
    const publicOnly = await call(searchCode, { query: 'hello' }, w.readOnly());
    expect(
      (publicOnly.structured.items as Array<{ repository: string }>).some(
        (i) => i.repository === 'octocat/secret',
      ),
    ).toBe(false);
  });

  it('maps the 422 of a query naming a user that does not exist', async () => {
    const error = await callError(searchCode, { query: 'x user:nobody-at-all' }, w.full());
    expect(error).toMatchObject({ status: 422 });
  });
});

describe('search_users', () => {
  it('scopes to type:user and pages through results', async () => {
    const page1 = await call(searchUsers, { query: 'o', perPage: 2 }, w.full());
    expect(page1.structured).toMatchObject({ total_count: 3, nextPage: 2 });
    expect((page1.structured.items as Array<{ login: string }>).map((u) => u.login)).toEqual([
      'hubot',
      'monalisa',
    ]);
    expect(page1.text).toContain('match "type:user o"');
    const page2 = await call(searchUsers, { query: 'o', perPage: 2, page: 2 }, w.full());
    expect(page2.structured).toMatchObject({ nextPage: null, items: [{ login: 'octocat', type: 'User' }] });
  });

  it('keeps an explicit type qualifier', async () => {
    const orgs = await call(searchUsers, { query: 'type:org octo' }, w.full());
    expect(orgs.structured).toMatchObject({ total_count: 0, items: [] });
  });
});
