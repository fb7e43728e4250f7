import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPullRequest,
  getFileContents,
  getPullRequest,
  getPullRequestFiles,
  listPullRequests,
  mergePullRequest,
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

describe('list_pull_requests and get_pull_request', () => {
  it('lists open pull requests newest first, paginated, with detail fields null', async () => {
    const page1 = await call(listPullRequests, { ...repo, perPage: 1 }, w.full());
    expect(page1.structured).toMatchObject({
      nextPage: 2,
      items: [
        { number: 7, draft: true, merged: null, additions: null, head: { ref: 'fix', label: 'octocat:fix' } },
      ],
    });
    expect(page1.text).toContain('#7 [open, draft] Fix greeting punctuation (fix → main) by octocat');
    const page2 = await call(listPullRequests, { ...repo, perPage: 1, page: 2 }, w.full());
    expect(page2.structured).toMatchObject({ nextPage: null, items: [{ number: 6 }] });
  });

  it('filters by head and base', async () => {
    const byHead = await call(listPullRequests, { ...repo, head: 'octocat:feature' }, w.full());
    expect((byHead.structured.items as Array<{ number: number }>).map((p) => p.number)).toEqual([6]);
    const byBase = await call(listPullRequests, { ...repo, base: 'dev' }, w.full());
    expect(byBase.structured.items).toEqual([]);
  });

  it('returns one pull request with mergeability and line counts', async () => {
    const { structured } = await call(getPullRequest, { ...repo, pullNumber: 6 }, w.full());
    expect(structured).toMatchObject({
      number: 6,
      title: 'Add farewell',
      merged: false,
      mergeable: true,
      mergeable_state: 'clean',
      additions: 1,
      deletions: 0,
      changed_files: 1,
      base: { ref: 'main', repository: 'octocat/hello-world' },
    });
  });

  it('404s for an issue number that is not a pull request', async () => {
    const error = await callError(getPullRequest, { ...repo, pullNumber: 1 }, w.full());
    expect(error.status).toBe(404);
  });
});

describe('get_pull_request_files', () => {
  it('returns changed files with patches, paginated', async () => {
    w.gh.fixtures.commit('octocat/hello-world', {
      branch: 'feature',
      message: 'More',
      files: { 'a.txt': 'a\n', 'b.txt': 'b\n' },
    });
    const page1 = await call(getPullRequestFiles, { ...repo, pullNumber: 6, perPage: 2 }, w.full());
    expect(page1.structured).toMatchObject({
      nextPage: 2,
      items: [
        { filename: 'a.txt', status: 'added', additions: 1 },
        { filename: 'b.txt', status: 'added' },
      ],
    });
    const page2 = await call(getPullRequestFiles, { ...repo, pullNumber: 6, perPage: 2, page: 2 }, w.full());
    expect(page2.structured).toMatchObject({ nextPage: null, items: [{ filename: 'src/farewell.ts' }] });
    expect((page2.structured.items as Array<{ patch: string }>)[0]?.patch).toContain(
      "+export const bye = 'bye';",
    );
  });

  it('shortens long patches and caps the total across files', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i += 1)
      files[`gen/f${String(i).padStart(2, '0')}.txt`] = `${'line\n'.repeat(2000)}`;
    w.gh.fixtures.commit('octocat/hello-world', { branch: 'feature', message: 'Generated', files });
    const { structured } = await call(
      getPullRequestFiles,
      { ...repo, pullNumber: 6, perPage: 100 },
      w.full(),
    );
    const items = structured.items as Array<{ patch: string | null; patch_truncated: boolean }>;
    expect(items.every((f) => f.patch_truncated)).toBe(true);
    expect(items.reduce((n, f) => n + (f.patch?.length ?? 0), 0)).toBeLessThanOrEqual(100_000);
    expect(JSON.stringify(structured).length).toBeLessThan(150_000);
  });
});

describe('create_pull_request and merge_pull_request', () => {
  it('opens a pull request from a new branch and merges it into main', async () => {
    w.gh.fixtures.commit('octocat/hello-world', {
      branch: 'topic',
      message: 'Topic',
      files: { 'topic.md': 'hi\n' },
    });
    const opened = await call(
      createPullRequest,
      { ...repo, title: 'Topic', head: 'topic', base: 'main', body: 'Adds a topic', draft: false },
      w.full(),
    );
    expect(opened.structured).toMatchObject({
      number: 8,
      state: 'open',
      head: { ref: 'topic' },
      base: { ref: 'main' },
    });
    const merged = await call(
      mergePullRequest,
      { ...repo, pullNumber: 8, merge_method: 'squash', commit_title: 'Topic (#8)' },
      w.full(),
    );
    expect(merged.structured).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    const file = await call(getFileContents, { ...repo, path: 'topic.md' }, w.full());
    expect(file.structured.content).toBe('hi\n');
    const after = await call(getPullRequest, { ...repo, pullNumber: 8 }, w.full());
    expect(after.structured).toMatchObject({ state: 'closed', merged: true, merged_by: 'octocat' });
  });

  it('maps GitHub’s 422s: existing pull request, no commits between, unknown head', async () => {
    const exists = await callError(
      createPullRequest,
      { ...repo, title: 't', head: 'feature', base: 'main' },
      w.full(),
    );
    expect(exists.upstreamMessage).toBe(
      'Validation Failed: A pull request already exists for octocat:feature.',
    );
    w.gh.fixtures.branch('octocat/hello-world', 'same');
    const empty = await callError(
      createPullRequest,
      { ...repo, title: 't', head: 'same', base: 'main' },
      w.full(),
    );
    expect(empty.upstreamMessage).toBe('Validation Failed: No commits between main and same');
    const unknown = await callError(
      createPullRequest,
      { ...repo, title: 't', head: 'ghost', base: 'main' },
      w.full(),
    );
    expect(unknown).toMatchObject({ status: 422, upstreamMessage: 'Validation Failed: head: invalid' });
  });

  it('maps 405 "not mergeable" for a merged or conflicting pull request', async () => {
    await call(mergePullRequest, { ...repo, pullNumber: 6 }, w.full());
    const again = await callError(mergePullRequest, { ...repo, pullNumber: 6 }, w.full());
    expect(again).toMatchObject({
      code: 'GITHUB_API_ERROR',
      status: 405,
      upstreamMessage: 'Pull Request is not mergeable',
    });
  });
});
