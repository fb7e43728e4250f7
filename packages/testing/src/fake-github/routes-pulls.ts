import { openIssue, writeCommit } from './fixtures.js';
import { diffTrees, isoSeconds, resolveRef } from './git-model.js';
import type { FakeIssue, FakeRepo } from './repo-types.js';
import { jsonBody, pageOf, type RestExchange, restError, sendRest, validationFailed } from './rest-common.js';
import { pullFiles, pullView } from './rest-views.js';
import { sortIssues } from './routes-issues.js';

/** `GET /repos/{owner}/{repo}/pulls`: filtered by state, head (`owner:branch`) and base; paginated. */
export function listPulls(x: RestExchange, repo: FakeRepo) {
  const params = x.req.url.searchParams;
  const state = params.get('state') ?? 'open';
  const head = params.get('head');
  const base = params.get('base');
  const pulls = [...repo.issues.values()].filter(
    (i) =>
      i.pull !== null &&
      (state === 'all' || i.state === state) &&
      (!head || `${repo.owner}:${i.pull.head}`.toLowerCase() === head.toLowerCase()) &&
      (!base || i.pull.base === base),
  );
  const { items, link } = pageOf(x, sortIssues(pulls, params.get('sort'), params.get('direction')));
  sendRest(
    x,
    200,
    items.map((i) => pullView(x.ctx, repo, i, false)),
    link,
  );
}

/** `GET /repos/{owner}/{repo}/pulls/{number}`. */
export function getPull(x: RestExchange, repo: FakeRepo, issue: FakeIssue) {
  sendRest(x, 200, pullView(x.ctx, repo, issue, true));
}

/** `GET /repos/{owner}/{repo}/pulls/{number}/files`: paginated. */
export function listPullFiles(x: RestExchange, repo: FakeRepo, issue: FakeIssue) {
  const { items, link } = pageOf(x, pullFiles(repo, issue));
  sendRest(x, 200, items, link);
}

/**
 * `POST /repos/{owner}/{repo}/pulls`: GitHub's 422 cases — unknown head or base, no commits between them,
 * a pull request for the head already open.
 */
export function createPull(x: RestExchange, repo: FakeRepo) {
  const body = jsonBody(x.req) ?? {};
  const title = typeof body.title === 'string' ? body.title : '';
  const head = typeof body.head === 'string' ? body.head.replace(new RegExp(`^${repo.owner}:`, 'i'), '') : '';
  const base = typeof body.base === 'string' ? body.base : '';
  const invalid = (['title', 'head', 'base'] as const).filter((field) =>
    field === 'title' ? !title : !repo.branches.has(field === 'head' ? head : base),
  );
  if (invalid.length > 0) {
    return validationFailed(
      x,
      invalid.map((field) => ({
        resource: 'PullRequest',
        field,
        code: field === 'title' ? 'missing_field' : 'invalid',
      })),
    );
  }
  const headCommit = resolveRef(repo, head);
  const baseCommit = resolveRef(repo, base);
  if (!headCommit || !baseCommit || diffTrees(baseCommit.tree, headCommit.tree).length === 0) {
    return validationFailed(x, [
      { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` },
    ]);
  }
  const existing = [...repo.issues.values()].find((i) => i.pull?.head === head && i.state === 'open');
  if (existing) {
    return validationFailed(x, [
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${repo.owner}:${head}.`,
      },
    ]);
  }
  const issue = openIssue(
    x.ctx.state,
    repo,
    {
      title,
      body: typeof body.body === 'string' ? body.body : null,
      user: x.caller.login ?? repo.owner,
      pull: {
        head,
        base,
        draft: body.draft === true,
        maintainer_can_modify: body.maintainer_can_modify !== false,
        requested_reviewers: [],
        baseSha: baseCommit.sha,
        merged: false,
        merged_at: null,
        merged_by: null,
        merge_commit_sha: null,
        mergeable: true,
      },
    },
    x.ctx.now(),
  );
  sendRest(x, 201, pullView(x.ctx, repo, issue, true));
}

/** `PUT /repos/{owner}/{repo}/pulls/{number}/merge`: 405 when not mergeable or closed, 409 on a stale `sha`. */
export function mergePull(x: RestExchange, repo: FakeRepo, issue: FakeIssue) {
  const pull = issue.pull;
  if (!pull) return restError(x, 404, 'Not Found');
  const body = jsonBody(x.req) ?? {};
  if (pull.merged || issue.state === 'closed' || !pull.mergeable) {
    return restError(x, 405, 'Pull Request is not mergeable');
  }
  const headSha = repo.branches.get(pull.head);
  if (typeof body.sha === 'string' && body.sha !== headSha) {
    return restError(x, 409, 'Head branch was modified. Review and try the merge again.');
  }
  const method = typeof body.merge_method === 'string' ? body.merge_method : 'merge';
  if (!['merge', 'squash', 'rebase'].includes(method)) {
    return validationFailed(x, [{ resource: 'PullRequest', field: 'merge_method', code: 'invalid' }]);
  }
  const files: Record<string, string | null> = {};
  for (const change of pullFiles(repo, issue)) {
    files[change.filename] = resolveRef(repo, pull.head)?.tree.get(change.filename) ?? null;
  }
  const title =
    typeof body.commit_title === 'string' ? body.commit_title : `Merge pull request #${issue.number}`;
  const commit = writeCommit(
    x.ctx.state,
    repo,
    {
      branch: pull.base,
      message: typeof body.commit_message === 'string' ? `${title}\n\n${body.commit_message}` : title,
      files,
      ...(x.caller.login ? { author: x.caller.login } : {}),
      ...(method === 'merge' && headSha ? { parents: [repo.branches.get(pull.base) ?? '', headSha] } : {}),
    },
    x.ctx.now(),
  );
  const at = isoSeconds(x.ctx.now());
  Object.assign(pull, {
    merged: true,
    merged_at: at,
    merged_by: x.caller.login,
    merge_commit_sha: commit.sha,
  });
  Object.assign(issue, { state: 'closed', closed_at: at, updated_at: at });
  sendRest(x, 200, { sha: commit.sha, merged: true, message: 'Pull Request successfully merged' });
}
