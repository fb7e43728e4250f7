import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createBranch,
  createOrUpdateFile,
  getCommit,
  getFileContents,
  listBranches,
  listCommits,
} from '../../src/index.js';
import { call, callError, startWorld, type World } from './world.js';

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.close();
});

const repo = { owner: 'octocat', repo: 'hello-world' };

describe('get_file_contents', () => {
  it('decodes a file (base64 wrapped at 60 columns) and returns its blob sha', async () => {
    const { structured, text } = await call(getFileContents, { ...repo, path: 'src/index.ts' }, w.full());
    expect(structured).toMatchObject({
      kind: 'file',
      path: 'src/index.ts',
      content: "export const greeting = 'hello world';\n",
      truncated: false,
      binary: false,
      entries: null,
    });
    expect(structured.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(text).toContain("greeting = 'hello world'");
  });

  it('lists a directory, the root by default', async () => {
    const root = await call(getFileContents, repo, w.full());
    expect(root.structured.kind).toBe('dir');
    expect(
      (root.structured.entries as Array<{ path: string; type: string }>).map((e) => `${e.type}:${e.path}`),
    ).toEqual(['file:counter.txt', 'dir:docs', 'file:README.md', 'dir:src']);
    const src = await call(getFileContents, { ...repo, path: '/src/' }, w.full());
    expect((src.structured.entries as Array<{ name: string }>).map((e) => e.name)).toEqual([
      'index.ts',
      'util',
    ]);
  });

  it('reads another branch by ref, and a commit by sha', async () => {
    const onFix = await call(
      getFileContents,
      { ...repo, path: 'src/index.ts', ref: 'refs/heads/fix' },
      w.full(),
    );
    expect(onFix.structured.content).toContain('hello, world');
    const commits = [...(w.gh.fixtures.repo('octocat/hello-world')?.commits.values() ?? [])];
    const countToOne = commits.find((c) => c.message.startsWith('Count to 1'));
    const old = await call(
      getFileContents,
      { ...repo, path: 'counter.txt', sha: countToOne?.sha, ref: 'main' },
      w.full(),
    );
    expect(old.structured.content).toBe('1\n');
  });

  it('caps content at 100 KiB with truncated set, and does not split a multi-byte character', async () => {
    w.gh.fixtures.commit('octocat/hello-world', { message: 'big', files: { 'big.txt': 'é'.repeat(80_000) } });
    const { structured, text } = await call(getFileContents, { ...repo, path: 'big.txt' }, w.full());
    expect(structured.truncated).toBe(true);
    expect(structured.size).toBe(160_000);
    expect(structured.content).toBe('é'.repeat(51_200));
    expect(text).toContain('[truncated after 102400 bytes]');
  });

  it('marks binary files and leaves their content out', async () => {
    w.gh.fixtures.commit('octocat/hello-world', {
      message: 'bin',
      files: { 'logo.png': '\u0089PNG\r\n\u001a\n\u0000\u0000' },
    });
    const { structured } = await call(getFileContents, { ...repo, path: 'logo.png' }, w.full());
    expect(structured).toMatchObject({ binary: true, content: null });
  });

  it('refuses paths that would leave the repository before calling GitHub', () => {
    expect(getFileContents.input.safeParse({ ...repo, path: '../../user' }).success).toBe(false);
    expect(getFileContents.input.safeParse({ ...repo, repo: '..' }).success).toBe(false);
  });

  it('404s on a missing path', async () => {
    const error = await callError(getFileContents, { ...repo, path: 'nope.md' }, w.full());
    expect(error).toMatchObject({ status: 404, upstreamMessage: 'Not Found' });
  });
});

describe('list_branches', () => {
  it('lists branches with their tip and protection, paginated by the Link header', async () => {
    w.gh.fixtures.protectBranch('octocat/hello-world', 'main');
    const first = await call(listBranches, { ...repo, perPage: 2 }, w.full());
    expect(first.structured).toMatchObject({ page: 1, perPage: 2, nextPage: 2 });
    expect(first.structured.items).toEqual([
      { name: 'feature', sha: expect.stringMatching(/^[0-9a-f]{40}$/), protected: false },
      { name: 'fix', sha: expect.any(String), protected: false },
    ]);
    expect(first.text).toContain('call again with page: 2');
    const last = await call(listBranches, { ...repo, perPage: 2, page: 2 }, w.full());
    expect(last.structured).toMatchObject({ nextPage: null, items: [{ name: 'main', protected: true }] });
    expect(last.text).toContain('no more results');
  });
});

describe('list_commits and get_commit', () => {
  it('lists commits newest first with first-line messages, paginated', async () => {
    const page1 = await call(listCommits, { ...repo, perPage: 2 }, w.full());
    const items = page1.structured.items as Array<{ message: string; author: { login: string } }>;
    expect(items.map((c) => c.message)).toEqual(['Count to 4', 'Count to 3']);
    expect(items[0]?.author.login).toBe('octocat');
    expect(page1.structured.nextPage).toBe(2);
    const page3 = await call(listCommits, { ...repo, perPage: 2, page: 3 }, w.full());
    expect(page3.structured).toMatchObject({ nextPage: null, items: [{ message: 'Initial commit' }] });
  });

  it('filters by branch and path', async () => {
    const onFeature = await call(listCommits, { ...repo, sha: 'feature', path: 'src/farewell.ts' }, w.full());
    expect(onFeature.structured.items).toEqual([expect.objectContaining({ message: 'Add farewell' })]);
  });

  it('returns a commit with stats, parents and patches; files paginate', async () => {
    const { structured } = await call(getCommit, { ...repo, sha: 'fix' }, w.full());
    expect(structured).toMatchObject({
      message: 'Fix greeting',
      stats: { additions: 1, deletions: 1, total: 2 },
      files: [
        { filename: 'src/index.ts', status: 'modified', additions: 1, deletions: 1, patch_truncated: false },
      ],
      nextPage: null,
    });
    expect((structured.parents as string[]).length).toBe(1);
    const files = (structured.files as Array<{ patch: string }>)[0]?.patch;
    expect(files).toContain("+export const greeting = 'hello, world';");

    const initial = await call(listCommits, { ...repo, perPage: 1, page: 5 }, w.full());
    const sha = (initial.structured.items as Array<{ sha: string }>)[0]?.sha;
    const paged = await call(getCommit, { ...repo, sha, perPage: 2, include_diff: false }, w.full());
    expect(paged.structured).toMatchObject({ nextPage: 2, stats: { additions: 6, deletions: 0 } });
    expect(paged.structured.files).toHaveLength(2);
    expect((paged.structured.files as Array<{ patch: unknown }>).every((f) => f.patch === null)).toBe(true);
  });

  it('maps GitHub’s 422 for an unknown commit', async () => {
    const error = await callError(getCommit, { ...repo, sha: 'deadbeef' }, w.full());
    expect(error).toMatchObject({
      code: 'GITHUB_API_ERROR',
      status: 422,
      upstreamMessage: 'No commit found for SHA: deadbeef',
    });
  });
});

describe('create_branch', () => {
  it('creates a branch from the default branch, or from from_branch', async () => {
    const main = w.gh.fixtures.repo('octocat/hello-world')?.branches.get('main');
    const created = await call(createBranch, { ...repo, branch: 'topic/one' }, w.full());
    expect(created.structured).toEqual({ ref: 'refs/heads/topic/one', sha: main, from_branch: 'main' });
    const fromFix = await call(createBranch, { ...repo, branch: 'two', from_branch: 'fix' }, w.full());
    expect(fromFix.structured.sha).toBe(w.gh.fixtures.repo('octocat/hello-world')?.branches.get('fix'));
    expect(w.gh.fixtures.repo('octocat/hello-world')?.branches.has('topic/one')).toBe(true);
  });

  it('maps 422 "Reference already exists" and a missing source branch (404)', async () => {
    const exists = await callError(createBranch, { ...repo, branch: 'feature' }, w.full());
    expect(exists).toMatchObject({ status: 422, upstreamMessage: 'Reference already exists' });
    const noSource = await callError(createBranch, { ...repo, branch: 'x', from_branch: 'nope' }, w.full());
    expect(noSource.status).toBe(404);
  });
});

describe('create_or_update_file', () => {
  it('creates a file (created: true), then updates it with the returned sha', async () => {
    const args = {
      ...repo,
      path: 'notes/todo.md',
      content: '- greet\n',
      message: 'Add todo',
      branch: 'main',
    };
    const created = await call(createOrUpdateFile, args, w.full());
    expect(created.structured).toMatchObject({
      path: 'notes/todo.md',
      created: true,
      commit: { message: 'Add todo' },
    });
    const updated = await call(
      createOrUpdateFile,
      { ...args, content: '- greet\n- wave\n', message: 'More', sha: created.structured.sha },
      w.full(),
    );
    expect(updated.structured.created).toBe(false);
    const read = await call(getFileContents, { ...repo, path: 'notes/todo.md' }, w.full());
    expect(read.structured).toMatchObject({ content: '- greet\n- wave\n', sha: updated.structured.sha });
  });

  it('maps 422 for an update without sha and 409 for a stale sha', async () => {
    const args = { ...repo, path: 'README.md', content: 'x', message: 'm', branch: 'main' };
    const noSha = await callError(createOrUpdateFile, args, w.full());
    expect(noSha).toMatchObject({ status: 422, upstreamMessage: 'Invalid request. "sha" wasn\'t supplied.' });
    const stale = await callError(createOrUpdateFile, { ...args, sha: '0'.repeat(40) }, w.full());
    expect(stale).toMatchObject({ code: 'GITHUB_API_ERROR', status: 409 });
  });

  it('accepts public_repo for a public repository (scope hierarchy)', async () => {
    const args = { ...repo, path: 'a.txt', content: 'a', message: 'a', branch: 'main' };
    const { structured } = await call(createOrUpdateFile, args, w.withScopes(['public_repo']));
    expect(structured.created).toBe(true);
  });
});
