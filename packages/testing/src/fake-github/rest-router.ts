import type { ServerResponse } from 'node:http';
import type { FakeRequest } from './http.js';
import type { RouteContext } from './oauth-routes.js';
import type { FakeRepo } from './repo-types.js';
import { authenticate, canRead, canWrite, type RestExchange, restError } from './rest-common.js';
import * as issues from './routes-issues.js';
import * as pulls from './routes-pulls.js';
import * as repos from './routes-repos.js';
import * as search from './routes-search.js';

const SEARCH: Record<string, (x: RestExchange) => void> = {
  repositories: search.searchRepositories,
  issues: search.searchIssues,
  code: search.searchCode,
  users: search.searchUsers,
};

/** Whether a path is served by {@link handleRest}. */
export function isRestPath(path: string): boolean {
  return /^\/api\/v3\/(?:repos\/[^/]+\/[^/]+(?:\/.*)?|search\/[a-z]+)$/.test(path);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function issueRoute(x: RestExchange, repo: FakeRepo, rest: string): boolean {
  const m = /^\/(issues|pulls)\/(\d+)(\/comments|\/files|\/merge)?$/.exec(rest);
  if (!m?.[1] || !m[2]) return false;
  const issue = repo.issues.get(Number(m[2]));
  const method = x.req.method;
  if (!issue || (m[1] === 'pulls' && !issue.pull)) {
    restError(x, 404, 'Not Found');
    return true;
  }
  const key = `${method} ${m[1]}${m[3] ?? ''}`;
  const table: Record<string, () => void> = {
    'GET issues': () => issues.getIssue(x, repo, issue),
    'PATCH issues': () => issues.updateIssue(x, repo, issue),
    'GET issues/comments': () => issues.listComments(x, repo, issue),
    'POST issues/comments': () => issues.addComment(x, repo, issue),
    'GET pulls': () => pulls.getPull(x, repo, issue),
    'GET pulls/files': () => pulls.listPullFiles(x, repo, issue),
    'PUT pulls/merge': () => pulls.mergePull(x, repo, issue),
  };
  const handler = table[key];
  if (!handler) return false;
  handler();
  return true;
}

function repoRoute(x: RestExchange, repo: FakeRepo, rest: string): boolean {
  const method = x.req.method;
  const contents = /^\/contents(?:\/(.*))?$/.exec(rest);
  if (contents) {
    const path = (contents[1] ?? '').split('/').filter(Boolean).map(decode).join('/');
    if (method === 'GET') repos.getContents(x, repo, path);
    else if (method === 'PUT' && path) repos.putContents(x, repo, path);
    else return false;
    return true;
  }
  const ref = /^\/git\/ref\/heads\/(.+)$/.exec(rest);
  if (ref?.[1] && method === 'GET') {
    repos.getRef(x, repo, ref[1].split('/').map(decode).join('/'));
    return true;
  }
  const commit = /^\/commits\/(.+)$/.exec(rest);
  if (commit?.[1] && method === 'GET') {
    repos.getCommit(x, repo, commit[1].split('/').map(decode).join('/'));
    return true;
  }
  const table: Record<string, () => void> = {
    'GET ': () => repos.getRepo(x, repo),
    'GET /branches': () => repos.listBranches(x, repo),
    'POST /git/refs': () => repos.createRef(x, repo),
    'GET /commits': () => repos.listCommits(x, repo),
    'GET /issues': () => issues.listIssues(x, repo),
    'POST /issues': () => issues.createIssue(x, repo),
    'GET /pulls': () => pulls.listPulls(x, repo),
    'POST /pulls': () => pulls.createPull(x, repo),
  };
  const handler = table[`${method} ${rest}`];
  if (handler) {
    handler();
    return true;
  }
  return issueRoute(x, repo, rest);
}

/**
 * Serves the repository and search endpoints: authentication (401 for bad or expired tokens), visibility and
 * scope checks (403 with `X-Accepted-OAuth-Scopes: repo` when a token lacks `repo` for a private repository or
 * a write), then the route.
 */
export function handleRest(ctx: RouteContext, req: FakeRequest, res: ServerResponse) {
  const caller = authenticate(ctx, req, res);
  if (!caller) return;
  const path = req.url.pathname;
  const searchMatch = /^\/api\/v3\/search\/([a-z]+)$/.exec(path);
  if (searchMatch?.[1]) {
    const x: RestExchange = {
      ctx,
      req,
      res,
      caller,
      accepted: '',
      resource: searchMatch[1] === 'code' ? 'code_search' : 'search',
    };
    const handler = SEARCH[searchMatch[1]];
    if (handler && req.method === 'GET') return handler(x);
    return restError(x, 404, 'Not Found');
  }
  const m = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
  const x: RestExchange = { ctx, req, res, caller, accepted: 'repo', resource: 'core' };
  const repo =
    m?.[1] && m[2] ? ctx.state.repos.get(`${decode(m[1])}/${decode(m[2])}`.toLowerCase()) : undefined;
  if (!repo) return restError(x, 404, 'Not Found');
  if (!canRead(caller, repo)) return restError(x, 403, 'Resource not accessible by personal access token');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (caller.login === null) return restError(x, 401, 'Requires authentication');
    if (!canWrite(caller, repo)) return restError(x, 403, 'Resource not accessible by personal access token');
  }
  if (!repoRoute(x, repo, (m?.[3] ?? '').replace(/\/+$/, ''))) restError(x, 404, 'Not Found');
}
