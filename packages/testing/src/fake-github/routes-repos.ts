import { writeCommit } from './fixtures.js';
import { blobSha, diffTrees, history, resolveRef } from './git-model.js';
import type { FakeRepo } from './repo-types.js';
import { jsonBody, pageOf, type RestExchange, restError, sendRest } from './rest-common.js';
import { commitView, fileView, repoView } from './rest-views.js';

/** `GET /repos/{owner}/{repo}`. */
export function getRepo(x: RestExchange, repo: FakeRepo) {
  sendRest(x, 200, repoView(x.ctx, repo));
}

/** `GET /repos/{owner}/{repo}/contents/{path}?ref=`: a file (base64) or a directory listing. */
export function getContents(x: RestExchange, repo: FakeRepo, path: string) {
  const ref = x.req.url.searchParams.get('ref') ?? repo.default_branch;
  const commit = resolveRef(repo, ref);
  if (!commit) return restError(x, 404, `No commit found for the ref ${ref}`);
  const file = commit.tree.get(path);
  if (file !== undefined) return sendRest(x, 200, fileView(x.ctx, repo, ref, path, file));
  const prefix = path === '' ? '' : `${path}/`;
  const entries = new Map<string, { type: 'file' | 'dir'; size: number; sha: string }>();
  for (const [filePath, content] of commit.tree) {
    if (!filePath.startsWith(prefix)) continue;
    const [head, ...rest] = filePath.slice(prefix.length).split('/');
    if (!head) continue;
    entries.set(
      head,
      rest.length > 0
        ? { type: 'dir', size: 0, sha: blobSha(`tree:${prefix}${head}`) }
        : { type: 'file', size: Buffer.byteLength(content), sha: blobSha(content) },
    );
  }
  if (entries.size === 0) return restError(x, 404, 'Not Found');
  const listing = [...entries]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]) => ({ name, path: `${prefix}${name}`, ...e }));
  sendRest(x, 200, listing);
}

/**
 * `PUT /repos/{owner}/{repo}/contents/{path}`: creates (201) or updates (200) a file in one commit. An update
 * without `sha` is refused with 422, a stale `sha` with 409, as GitHub does.
 */
export function putContents(x: RestExchange, repo: FakeRepo, path: string) {
  const body = jsonBody(x.req);
  const message = typeof body?.message === 'string' ? body.message : '';
  const content = typeof body?.content === 'string' ? body.content : null;
  if (!message || content === null) {
    return restError(x, 422, `Invalid request.\n\n"${message ? 'content' : 'message'}" wasn't supplied.`);
  }
  const branch = typeof body?.branch === 'string' ? body.branch : repo.default_branch;
  const tip = resolveRef(repo, branch);
  if (!tip || !repo.branches.has(branch)) return restError(x, 404, `Branch ${branch} not found`);
  const existing = tip.tree.get(path);
  const sha = typeof body?.sha === 'string' ? body.sha : undefined;
  if (existing !== undefined && sha === undefined) {
    return restError(x, 422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
  }
  if (existing !== undefined && sha !== blobSha(existing)) {
    return restError(x, 409, `${path} does not match ${sha}`);
  }
  const text = Buffer.from(content, 'base64').toString('utf8');
  const commit = writeCommit(
    x.ctx.state,
    repo,
    { branch, message, files: { [path]: text }, ...(x.caller.login ? { author: x.caller.login } : {}) },
    x.ctx.now(),
  );
  sendRest(x, existing === undefined ? 201 : 200, {
    content: fileView(x.ctx, repo, branch, path, text),
    commit: {
      sha: commit.sha,
      message: commit.message,
      html_url: `${x.ctx.baseUrl}/${repo.owner}/${repo.name}/commit/${commit.sha}`,
    },
  });
}

/** `GET /repos/{owner}/{repo}/branches`: sorted by name, paginated. */
export function listBranches(x: RestExchange, repo: FakeRepo) {
  const all = [...repo.branches]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, sha]) => ({ name, commit: { sha }, protected: repo.protectedBranches.has(name) }));
  const { items, link } = pageOf(x, all);
  sendRest(x, 200, items, link);
}

function refView(x: RestExchange, repo: FakeRepo, branch: string, sha: string): unknown {
  const base = `${x.ctx.baseUrl}/api/v3/repos/${repo.owner}/${repo.name}`;
  return {
    ref: `refs/heads/${branch}`,
    node_id: Buffer.from(`03:Ref${branch}`).toString('base64'),
    url: `${base}/git/refs/heads/${branch}`,
    object: { sha, type: 'commit', url: `${base}/git/commits/${sha}` },
  };
}

/** `GET /repos/{owner}/{repo}/git/ref/heads/{branch}`. */
export function getRef(x: RestExchange, repo: FakeRepo, branch: string) {
  const sha = repo.branches.get(branch);
  if (!sha) return restError(x, 404, 'Not Found');
  sendRest(x, 200, refView(x, repo, branch, sha));
}

/** `POST /repos/{owner}/{repo}/git/refs`: 422 "Reference already exists" for an existing branch. */
export function createRef(x: RestExchange, repo: FakeRepo) {
  const body = jsonBody(x.req);
  const ref = typeof body?.ref === 'string' ? body.ref : '';
  const sha = typeof body?.sha === 'string' ? body.sha : '';
  if (!/^refs\/heads\/.+/.test(ref))
    return restError(x, 422, 'Reference name must start with refs/ and have at least two slashes.');
  if (!repo.commits.has(sha)) return restError(x, 422, 'Object does not exist');
  const branch = ref.slice('refs/heads/'.length);
  if (repo.branches.has(branch)) return restError(x, 422, 'Reference already exists');
  repo.branches.set(branch, sha);
  sendRest(x, 201, refView(x, repo, branch, sha));
}

/** `GET /repos/{owner}/{repo}/commits`: first-parent history, filtered by path, author, since and until. */
export function listCommits(x: RestExchange, repo: FakeRepo) {
  const params = x.req.url.searchParams;
  const ref = params.get('sha') ?? repo.default_branch;
  const head = resolveRef(repo, ref);
  if (!head) return restError(x, 404, `No commit found for SHA: ${ref}`);
  const path = params.get('path');
  const author = params.get('author');
  const since = params.get('since');
  const until = params.get('until');
  const all = history(repo, head).filter((commit) => {
    if (author && commit.author.login !== author && commit.author.email !== author) return false;
    if (since && commit.author.date < since) return false;
    if (until && commit.author.date > until) return false;
    if (!path) return true;
    const parent = commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined;
    return diffTrees(parent?.tree ?? new Map(), commit.tree).some(
      (f) => f.filename === path || f.filename.startsWith(`${path}/`),
    );
  });
  const { items, link } = pageOf(x, all);
  sendRest(
    x,
    200,
    items.map((commit) => commitView(x.ctx, repo, commit)),
    link,
  );
}

/** `GET /repos/{owner}/{repo}/commits/{ref}`: one commit; its `files` are paginated like GitHub's. */
export function getCommit(x: RestExchange, repo: FakeRepo, ref: string) {
  const commit = resolveRef(repo, ref);
  if (!commit) return restError(x, 422, `No commit found for SHA: ${ref}`);
  const parent = commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined;
  const files = diffTrees(parent?.tree ?? new Map(), commit.tree);
  const { items, link } = pageOf(x, files);
  sendRest(
    x,
    200,
    { ...commitView(x.ctx, repo, commit, files), files: commitView(x.ctx, repo, commit, items).files },
    link,
  );
}
