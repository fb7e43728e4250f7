import { blobSha, diffTrees, type FakeFileChange, resolveRef } from './git-model.js';
import type { RouteContext } from './oauth-routes.js';
import type { FakeComment, FakeCommit, FakeIssue, FakeRepo } from './repo-types.js';

const api = (ctx: RouteContext): string => `${ctx.baseUrl}/api/v3`;
const repoApi = (ctx: RouteContext, repo: FakeRepo): string => `${api(ctx)}/repos/${repo.owner}/${repo.name}`;
const repoHtml = (ctx: RouteContext, repo: FakeRepo): string => `${ctx.baseUrl}/${repo.owner}/${repo.name}`;

/** The short user object GitHub embeds (`user`, `assignees[]`, `owner`…). */
export function userView(ctx: RouteContext, login: string): Record<string, unknown> {
  const user = ctx.state.users.get(login);
  return {
    login,
    id: user?.id ?? 0,
    node_id: user?.node_id ?? '',
    avatar_url: user?.avatar_url ?? '',
    html_url: `${ctx.baseUrl}/${login}`,
    url: `${api(ctx)}/users/${login}`,
    type: user?.type ?? 'User',
    site_admin: user?.site_admin ?? false,
  };
}

/** A repository as `GET /repos/{owner}/{repo}` and search return it. */
export function repoView(ctx: RouteContext, repo: FakeRepo): Record<string, unknown> {
  const openIssues = [...repo.issues.values()].filter((i) => i.state === 'open').length;
  return {
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: repo.private,
    owner: userView(ctx, repo.owner),
    html_url: repoHtml(ctx, repo),
    description: repo.description,
    fork: repo.fork,
    url: repoApi(ctx, repo),
    created_at: repo.created_at,
    updated_at: repo.updated_at,
    pushed_at: repo.pushed_at,
    homepage: null,
    size: 108,
    stargazers_count: repo.stargazers_count,
    watchers_count: repo.stargazers_count,
    language: repo.language,
    forks_count: repo.forks_count,
    archived: repo.archived,
    disabled: false,
    open_issues_count: openIssues,
    topics: repo.topics,
    visibility: repo.private ? 'private' : 'public',
    default_branch: repo.default_branch,
  };
}

/** A comment as the issue comments API returns it. */
export function commentView(ctx: RouteContext, repo: FakeRepo, issue: FakeIssue, c: FakeComment): unknown {
  return {
    id: c.id,
    html_url: `${repoHtml(ctx, repo)}/issues/${issue.number}#issuecomment-${c.id}`,
    body: c.body,
    user: userView(ctx, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: c.user === repo.owner ? 'OWNER' : 'NONE',
  };
}

function labelsView(ctx: RouteContext, repo: FakeRepo, labels: readonly string[]): unknown[] {
  return labels.map((name, index) => ({
    id: index + 1,
    name,
    color: 'ededed',
    url: `${repoApi(ctx, repo)}/labels/${encodeURIComponent(name)}`,
  }));
}

/** An issue as the issues API returns it; pull requests carry a `pull_request` object (a GitHub quirk). */
export function issueView(ctx: RouteContext, repo: FakeRepo, issue: FakeIssue): Record<string, unknown> {
  const kind = issue.pull ? 'pull' : 'issues';
  return {
    id: issue.id,
    number: issue.number,
    url: `${repoApi(ctx, repo)}/issues/${issue.number}`,
    repository_url: repoApi(ctx, repo),
    html_url: `${repoHtml(ctx, repo)}/${kind}/${issue.number}`,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.state_reason,
    user: userView(ctx, issue.user),
    labels: labelsView(ctx, repo, issue.labels),
    assignee: issue.assignees[0] ? userView(ctx, issue.assignees[0]) : null,
    assignees: issue.assignees.map((login) => userView(ctx, login)),
    milestone: issue.milestone === null ? null : { number: issue.milestone, title: `v${issue.milestone}` },
    locked: issue.locked,
    comments: issue.comments.length,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    author_association: issue.user === repo.owner ? 'OWNER' : 'NONE',
    ...(issue.pull
      ? {
          pull_request: {
            url: `${repoApi(ctx, repo)}/pulls/${issue.number}`,
            html_url: `${repoHtml(ctx, repo)}/pull/${issue.number}`,
            merged_at: issue.pull.merged_at,
          },
        }
      : {}),
  };
}

/** Files a pull request changes: its head against the base it was opened from. */
export function pullFiles(repo: FakeRepo, issue: FakeIssue): FakeFileChange[] {
  const pull = issue.pull;
  if (!pull) return [];
  const base = repo.commits.get(pull.baseSha);
  const head = resolveRef(repo, pull.merged ? (pull.merge_commit_sha ?? pull.head) : pull.head);
  return diffTrees(base?.tree ?? new Map(), head?.tree ?? new Map());
}

function branchView(ctx: RouteContext, repo: FakeRepo, branch: string): unknown {
  return {
    label: `${repo.owner}:${branch}`,
    ref: branch,
    sha: repo.branches.get(branch) ?? null,
    user: userView(ctx, repo.owner),
    repo: { id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}`, private: repo.private },
  };
}

/** A pull request; `detail` adds what GitHub only returns for a single pull request. */
export function pullView(ctx: RouteContext, repo: FakeRepo, issue: FakeIssue, detail: boolean): unknown {
  const pull = issue.pull;
  if (!pull) throw new Error('not a pull request');
  const view = issueView(ctx, repo, issue);
  const base: Record<string, unknown> = {
    id: issue.id,
    number: issue.number,
    url: `${repoApi(ctx, repo)}/pulls/${issue.number}`,
    html_url: `${repoHtml(ctx, repo)}/pull/${issue.number}`,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    body: issue.body,
    user: view.user,
    labels: view.labels,
    assignees: view.assignees,
    requested_reviewers: pull.requested_reviewers.map((login) => userView(ctx, login)),
    draft: pull.draft,
    head: branchView(ctx, repo, pull.head),
    base: branchView(ctx, repo, pull.base),
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    merged_at: pull.merged_at,
    merge_commit_sha: pull.merge_commit_sha,
  };
  if (!detail) return base;
  const files = pullFiles(repo, issue);
  return {
    ...base,
    merged: pull.merged,
    mergeable: pull.merged ? null : pull.mergeable,
    mergeable_state: pull.merged ? 'unknown' : pull.mergeable ? 'clean' : 'dirty',
    merged_by: pull.merged_by ? userView(ctx, pull.merged_by) : null,
    comments: issue.comments.length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainer_can_modify,
    commits: 1,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changed_files: files.length,
  };
}

/** A commit as the commits API returns it; `files` only on the single-commit endpoint. */
export function commitView(
  ctx: RouteContext,
  repo: FakeRepo,
  commit: FakeCommit,
  files?: FakeFileChange[],
): Record<string, unknown> {
  const account = commit.author.login ? userView(ctx, commit.author.login) : null;
  const person = { name: commit.author.name, email: commit.author.email, date: commit.author.date };
  return {
    sha: commit.sha,
    node_id: Buffer.from(`04:Commit${commit.sha}`).toString('base64'),
    url: `${repoApi(ctx, repo)}/commits/${commit.sha}`,
    html_url: `${repoHtml(ctx, repo)}/commit/${commit.sha}`,
    commit: { message: commit.message, author: person, committer: person, comment_count: 0 },
    author: account,
    committer: account,
    parents: commit.parents.map((sha) => ({ sha, url: `${repoApi(ctx, repo)}/commits/${sha}` })),
    ...(files
      ? {
          stats: {
            additions: files.reduce((n, f) => n + f.additions, 0),
            deletions: files.reduce((n, f) => n + f.deletions, 0),
            total: files.reduce((n, f) => n + f.changes, 0),
          },
          files: files.map((f) => ({
            ...f,
            blob_url: `${repoHtml(ctx, repo)}/blob/${commit.sha}/${f.filename}`,
          })),
        }
      : {}),
  };
}

/** A file as the contents API returns it: base64 wrapped at 60 characters, like GitHub does. */
export function fileView(
  ctx: RouteContext,
  repo: FakeRepo,
  ref: string,
  path: string,
  content: string,
): unknown {
  const bytes = Buffer.from(content, 'utf8');
  // Over 1 MB GitHub sends no content and encoding "none".
  const tooLarge = bytes.length > 1024 * 1024;
  const base64 = tooLarge ? '' : (bytes.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
  return {
    type: 'file',
    encoding: tooLarge ? 'none' : 'base64',
    size: bytes.length,
    name: path.split('/').pop() ?? path,
    path,
    content: tooLarge ? '' : `${base64}\n`,
    sha: blobSha(content),
    url: `${repoApi(ctx, repo)}/contents/${path}?ref=${encodeURIComponent(ref)}`,
    html_url: `${repoHtml(ctx, repo)}/blob/${ref}/${path}`,
    download_url: `${ctx.baseUrl}/raw/${repo.owner}/${repo.name}/${ref}/${path}`,
  };
}
