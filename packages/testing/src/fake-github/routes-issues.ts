import { nextId, openIssue } from './fixtures.js';
import { isoSeconds } from './git-model.js';
import type { FakeIssue, FakeRepo } from './repo-types.js';
import { jsonBody, pageOf, type RestExchange, restError, sendRest, validationFailed } from './rest-common.js';
import { commentView, issueView } from './rest-views.js';

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** Sorts issues the way the issues and pulls listings do (`sort`, `direction`; default created, desc). */
export function sortIssues(issues: FakeIssue[], sort: string | null, direction: string | null): FakeIssue[] {
  const key = (i: FakeIssue): string | number =>
    sort === 'updated' ? i.updated_at : sort === 'comments' ? i.comments.length : i.created_at;
  const sign = direction === 'asc' ? 1 : -1;
  return [...issues].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const byKey = ka < kb ? -1 : ka > kb ? 1 : 0;
    return sign * (byKey !== 0 ? byKey : a.number - b.number);
  });
}

/** `GET /repos/{owner}/{repo}/issues`: issues and pull requests (GitHub lists both), filtered and paginated. */
export function listIssues(x: RestExchange, repo: FakeRepo) {
  const params = x.req.url.searchParams;
  const state = params.get('state') ?? 'open';
  const labels = (params.get('labels') ?? '').split(',').filter(Boolean);
  const since = params.get('since');
  const matching = [...repo.issues.values()].filter(
    (i) =>
      (state === 'all' || i.state === state) &&
      labels.every((label) => i.labels.includes(label)) &&
      (!since || i.updated_at >= since),
  );
  const { items, link } = pageOf(x, sortIssues(matching, params.get('sort'), params.get('direction')));
  sendRest(
    x,
    200,
    items.map((i) => issueView(x.ctx, repo, i)),
    link,
  );
}

/** `GET /repos/{owner}/{repo}/issues/{number}`. */
export function getIssue(x: RestExchange, repo: FakeRepo, issue: FakeIssue) {
  sendRest(x, 200, issueView(x.ctx, repo, issue));
}

/** Unknown logins in `assignees` → GitHub's 422 `{field: "assignees", code: "invalid", value}`. */
function invalidAssignees(x: RestExchange, assignees: string[] | undefined): boolean {
  const unknown = (assignees ?? []).filter((login) => !x.ctx.state.users.has(login));
  if (unknown.length === 0) return false;
  validationFailed(
    x,
    unknown.map((value) => ({ value, resource: 'Issue', field: 'assignees', code: 'invalid' })),
  );
  return true;
}

/** `POST /repos/{owner}/{repo}/issues`. */
export function createIssue(x: RestExchange, repo: FakeRepo) {
  const body = jsonBody(x.req);
  const title = typeof body?.title === 'string' ? body.title : '';
  if (!title) return restError(x, 422, 'Invalid request.\n\n"title" wasn\'t supplied.');
  const assignees = strings(body?.assignees);
  if (invalidAssignees(x, assignees)) return;
  const issue = openIssue(
    x.ctx.state,
    repo,
    {
      title,
      body: typeof body?.body === 'string' ? body.body : null,
      user: x.caller.login ?? repo.owner,
      labels: strings(body?.labels) ?? [],
      assignees: assignees ?? [],
    },
    x.ctx.now(),
  );
  if (typeof body?.milestone === 'number') issue.milestone = body.milestone;
  sendRest(x, 201, issueView(x.ctx, repo, issue));
}

/** `PATCH /repos/{owner}/{repo}/issues/{number}`: only the fields sent change. */
export function updateIssue(x: RestExchange, repo: FakeRepo, issue: FakeIssue) {
  const body = jsonBody(x.req) ?? {};
  const assignees = strings(body.assignees);
  if (invalidAssignees(x, assignees)) return;
  if (body.state !== undefined && body.state !== 'open' && body.state !== 'closed') {
    return validationFailed(x, [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
  }
  const at = isoSeconds(x.ctx.now());
  if (typeof body.title === 'string') issue.title = body.title;
  if (typeof body.body === 'string') issue.body = body.body;
  if (assignees) issue.assignees = assignees;
  const labels = strings(body.labels);
  if (labels) issue.labels = labels;
  if (typeof body.milestone === 'number') issue.milestone = body.milestone;
  if (body.state === 'closed' && issue.state !== 'closed') {
    issue.state = 'closed';
    issue.closed_at = at;
    issue.state_reason = typeof body.state_reason === 'string' ? body.state_reason : 'completed';
  } else if (body.state === 'open' && issue.state !== 'open') {
    issue.state = 'open';
    issue.closed_at = null;
    issue.state_reason = 'reopened';
  }
  issue.updated_at = at;
  sendRest(x, 200, issueView(x.ctx, repo, issue));
}

/** `POST /repos/{owner}/{repo}/issues/{number}/comments`; a locked issue refuses with 403. */
export function addComment(x: RestExchange, repo: FakeRepo, issue: FakeIssue) {
  const body = jsonBody(x.req);
  const text = typeof body?.body === 'string' ? body.body : '';
  if (!text) return restError(x, 422, 'Invalid request.\n\n"body" wasn\'t supplied.');
  if (issue.locked) return restError(x, 403, 'Unable to create comment because issue is locked.');
  const at = isoSeconds(x.ctx.now());
  const comment = {
    id: nextId(x.ctx.state),
    body: text,
    user: x.caller.login ?? repo.owner,
    created_at: at,
    updated_at: at,
  };
  issue.comments.push(comment);
  issue.updated_at = at;
  sendRest(x, 201, commentView(x.ctx, repo, issue, comment));
}

/** `GET /repos/{owner}/{repo}/issues/{number}/comments`. */
export function listComments(x: RestExchange, repo: FakeRepo, issue: FakeIssue) {
  const { items, link } = pageOf(x, issue.comments);
  sendRest(
    x,
    200,
    items.map((c) => commentView(x.ctx, repo, issue, c)),
    link,
  );
}
