import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addIssueComment,
  createIssue,
  getIssue,
  listIssues,
  searchIssues,
  updateIssue,
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
type Item = {
  number: number;
  title: string;
  is_pull_request: boolean;
  body: string | null;
  body_truncated: boolean;
};

describe('list_issues', () => {
  it('lists open issues (and pull requests, flagged) newest first, paginated', async () => {
    const page1 = await call(listIssues, { ...repo, perPage: 4 }, w.full());
    const items = page1.structured.items as Item[];
    expect(items.map((i) => [i.number, i.is_pull_request])).toEqual([
      [7, true],
      [6, true],
      [5, false],
      [4, false],
    ]);
    expect(page1.structured).toMatchObject({ page: 1, perPage: 4, nextPage: 2 });
    const page2 = await call(listIssues, { ...repo, perPage: 4, page: 2 }, w.full());
    expect((page2.structured.items as Item[]).map((i) => i.number)).toEqual([2, 1]);
    expect(page2.structured.nextPage).toBeNull();
  });

  it('filters by state and labels, sorts ascending, and shortens bodies in listings', async () => {
    const closed = await call(listIssues, { ...repo, state: 'closed' }, w.full());
    expect((closed.structured.items as Item[]).map((i) => i.title)).toEqual(['Typo in docs']);
    const bugs = await call(listIssues, { ...repo, labels: ['bug'], direction: 'asc' }, w.full());
    expect((bugs.structured.items as Item[]).map((i) => i.number)).toEqual([1, 4]);
    const all = await call(listIssues, { ...repo, state: 'all', perPage: 100 }, w.full());
    const long = (all.structured.items as Item[]).find((i) => i.number === 5);
    expect(long).toMatchObject({ body_truncated: true });
    expect(long?.body).toHaveLength(500);
  });
});

describe('get_issue', () => {
  it('returns one issue with its labels, assignees and comment count', async () => {
    const { structured, text } = await call(getIssue, { ...repo, issue_number: 1 }, w.full());
    expect(structured).toMatchObject({
      number: 1,
      title: 'Crash on start',
      state: 'open',
      user: 'octocat',
      labels: ['bug'],
      assignees: ['octocat'],
      comments: 1,
      repository: 'octocat/hello-world',
      is_pull_request: false,
      body: 'It crashes when started.',
      body_truncated: false,
    });
    expect(text).toContain('#1 [open] Crash on start (bug) by octocat');
  });

  it('caps a long body at 20,000 characters', async () => {
    const { structured } = await call(getIssue, { ...repo, issue_number: 5 }, w.full());
    expect(structured).toMatchObject({ body_truncated: true });
    expect(structured.body).toHaveLength(20_000);
  });

  it('404s on an unknown issue', async () => {
    const error = await callError(getIssue, { ...repo, issue_number: 99 }, w.full());
    expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', status: 404 });
  });
});

describe('search_issues', () => {
  it('adds is:issue and the repository, and pages through results', async () => {
    const result = await call(
      searchIssues,
      { query: 'label:bug', owner: 'octocat', repo: 'hello-world', perPage: 1 },
      w.full(),
    );
    expect(result.structured).toMatchObject({ total_count: 2, incomplete_results: false, nextPage: 2 });
    expect(result.text).toContain('match "repo:octocat/hello-world is:issue label:bug"');
    const sent = w.gh.state.requests.at(-1)?.url ?? '';
    expect(new URL(sent, 'http://x').searchParams.get('q')).toBe(
      'repo:octocat/hello-world is:issue label:bug',
    );
    const page2 = await call(
      searchIssues,
      { query: 'label:bug', owner: 'octocat', repo: 'hello-world', perPage: 1, page: 2 },
      w.full(),
    );
    expect(page2.structured.nextPage).toBeNull();
  });

  it('searches across repositories, hiding private ones from a token without repo', async () => {
    const withRepo = await call(searchIssues, { query: 'crash' }, w.full());
    expect(
      (withRepo.structured.items as Array<{ repository: string }>).map((i) => i.repository).sort(),
    ).toEqual(['octocat/hello-world', 'octocat/secret']);
    const without = await call(searchIssues, { query: 'crash' }, w.readOnly());
    expect((without.structured.items as Array<{ repository: string }>).map((i) => i.repository)).toEqual([
      'octocat/hello-world',
    ]);
  });

  it('keeps is:pr when the query asks for pull requests', async () => {
    const prs = await call(
      searchIssues,
      { query: 'is:pr greeting', owner: 'octocat', repo: 'hello-world' },
      w.full(),
    );
    expect(prs.structured.items).toEqual([expect.objectContaining({ number: 7, is_pull_request: true })]);
  });
});

describe('create_issue, update_issue, add_issue_comment', () => {
  it('creates an issue with labels and assignees', async () => {
    const { structured, text } = await call(
      createIssue,
      { ...repo, title: 'New bug', body: 'Details', labels: ['bug'], assignees: ['monalisa'] },
      w.full(),
    );
    expect(structured).toMatchObject({
      number: 8,
      title: 'New bug',
      labels: ['bug'],
      assignees: ['monalisa'],
      user: 'octocat',
    });
    expect(text).toContain('Created octocat/hello-world#8');
  });

  it('maps GitHub’s 422 for an unknown assignee, with the field and value', async () => {
    const error = await callError(createIssue, { ...repo, title: 'x', assignees: ['nobody'] }, w.full());
    expect(error).toMatchObject({
      status: 422,
      upstreamMessage: 'Validation Failed: assignees "nobody": invalid',
    });
  });

  it('updates only the fields given, closes with a reason and reopens', async () => {
    const closed = await call(
      updateIssue,
      { ...repo, issue_number: 2, state: 'closed', state_reason: 'not_planned' },
      w.full(),
    );
    expect(closed.structured).toMatchObject({
      title: 'Dark mode',
      state: 'closed',
      state_reason: 'not_planned',
      labels: ['enhancement'],
    });
    const reopened = await call(
      updateIssue,
      { ...repo, issue_number: 2, state: 'open', labels: ['ui'] },
      w.full(),
    );
    expect(reopened.structured).toMatchObject({ state: 'open', state_reason: 'reopened', labels: ['ui'] });
    const error = await callError(updateIssue, { ...repo, issue_number: 2, assignees: ['ghost'] }, w.full());
    expect(error.status).toBe(422);
  });

  it('comments on an issue; a locked issue refuses with 403 (not a scope problem)', async () => {
    const { structured } = await call(
      addIssueComment,
      { ...repo, issue_number: 1, body: 'Fixed in #6' },
      w.full(),
    );
    expect(structured).toMatchObject({ user: 'octocat', body: 'Fixed in #6' });
    expect(structured.html_url).toMatch(/issues\/1#issuecomment-\d+$/);
    const issue = w.gh.fixtures.repo('octocat/hello-world')?.issues.get(1);
    expect(issue?.comments).toHaveLength(2);
    if (issue) issue.locked = true;
    const error = await callError(addIssueComment, { ...repo, issue_number: 1, body: 'again' }, w.full());
    expect(error).toMatchObject({ code: 'GITHUB_API_ERROR', status: 403 });
  });
});
