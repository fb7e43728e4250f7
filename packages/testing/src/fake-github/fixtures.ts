import { commitSha, isoSeconds, resolveRef } from './git-model.js';
import type {
  FakeCommit,
  FakeCommitInput,
  FakeGitHubFixtures,
  FakeIssue,
  FakeIssueInput,
  FakeRepo,
} from './repo-types.js';
import type { FakeGitHubState } from './types.js';

/** Key of a repository in {@link FakeGitHubState.repos}: lower-case `owner/name`. */
export function repoKey(owner: string, name: string): string {
  return `${owner}/${name}`.toLowerCase();
}

/** Next numeric id for repositories, issues and comments. */
export function nextId(state: FakeGitHubState): number {
  state.nextId += 1;
  return state.nextId;
}

function need(state: FakeGitHubState, fullName: string): FakeRepo {
  const repo = state.repos.get(fullName.toLowerCase());
  if (!repo) throw new Error(`fake GitHub: no repository ${fullName}`);
  return repo;
}

/** Writes a commit on `branch` (created from the default branch when missing) and moves the branch. */
export function writeCommit(
  state: FakeGitHubState,
  repo: FakeRepo,
  input: FakeCommitInput & { parents?: string[] },
  nowMs: number,
): FakeCommit {
  const branch = input.branch ?? repo.default_branch;
  const tipSha = repo.branches.get(branch) ?? repo.branches.get(repo.default_branch);
  const tip = tipSha ? repo.commits.get(tipSha) : undefined;
  const tree = new Map(tip?.tree ?? []);
  for (const [path, content] of Object.entries(input.files)) {
    if (content === null) tree.delete(path);
    else tree.set(path, content);
  }
  const login = input.author ?? repo.owner;
  const user = state.users.get(login);
  const parents = input.parents ?? (tip ? [tip.sha] : []);
  state.commitSeq += 1;
  const commit: FakeCommit = {
    sha: commitSha([repo.owner, repo.name, String(state.commitSeq), input.message, ...parents]),
    message: input.message,
    author: {
      login,
      name: user?.name ?? login,
      email: `${login}@users.noreply.github.com`,
      date: isoSeconds(nowMs),
    },
    parents,
    tree,
  };
  repo.commits.set(commit.sha, commit);
  repo.branches.set(branch, commit.sha);
  repo.pushed_at = commit.author.date;
  return commit;
}

/** Opens an issue (or, with `pull`, a pull request) with the next number. */
export function openIssue(
  state: FakeGitHubState,
  repo: FakeRepo,
  input: FakeIssueInput & { pull?: FakeIssue['pull'] },
  nowMs: number,
): FakeIssue {
  const at = isoSeconds(nowMs);
  const user = input.user ?? repo.owner;
  const closed = input.state === 'closed';
  const issue: FakeIssue = {
    id: nextId(state),
    number: repo.nextNumber,
    title: input.title,
    body: input.body ?? null,
    state: closed ? 'closed' : 'open',
    state_reason: closed ? 'completed' : null,
    user,
    labels: [...(input.labels ?? [])],
    assignees: [...(input.assignees ?? [])],
    milestone: null,
    locked: false,
    comments: (input.comments ?? []).map((body) => ({
      id: nextId(state),
      body,
      user,
      created_at: at,
      updated_at: at,
    })),
    created_at: at,
    updated_at: at,
    closed_at: closed ? at : null,
    pull: input.pull ?? null,
  };
  repo.nextNumber += 1;
  repo.issues.set(issue.number, issue);
  return issue;
}

/** The seeding controls of a running fake. */
export function createFixtures(state: FakeGitHubState, now: () => number): FakeGitHubFixtures {
  return {
    addRepo(input) {
      const at = isoSeconds(now());
      const repo: FakeRepo = {
        id: nextId(state),
        owner: input.owner,
        name: input.name,
        private: input.private ?? false,
        description: input.description ?? null,
        topics: [...(input.topics ?? [])],
        language: input.language ?? null,
        default_branch: input.default_branch ?? 'main',
        stargazers_count: input.stargazers_count ?? 0,
        forks_count: input.forks_count ?? 0,
        archived: false,
        fork: false,
        created_at: at,
        updated_at: at,
        pushed_at: at,
        branches: new Map(),
        protectedBranches: new Set(),
        commits: new Map(),
        issues: new Map(),
        nextNumber: 1,
      };
      state.repos.set(repoKey(input.owner, input.name), repo);
      writeCommit(
        state,
        repo,
        { message: 'Initial commit', files: input.files ?? { 'README.md': `# ${input.name}\n` } },
        now(),
      );
      return repo;
    },
    repo: (fullName) => state.repos.get(fullName.toLowerCase()),
    commit: (fullName, input) => writeCommit(state, need(state, fullName), input, now()),
    branch(fullName, name, from) {
      const repo = need(state, fullName);
      const source = resolveRef(repo, from ?? repo.default_branch);
      if (!source) throw new Error(`fake GitHub: no branch ${from ?? repo.default_branch} in ${fullName}`);
      repo.branches.set(name, source.sha);
      return source.sha;
    },
    addIssue: (fullName, input) => openIssue(state, need(state, fullName), input, now()),
    addPull(fullName, input) {
      const repo = need(state, fullName);
      const base = input.base ?? repo.default_branch;
      const baseSha = repo.branches.get(base);
      if (!baseSha || !repo.branches.has(input.head)) {
        throw new Error(`fake GitHub: ${fullName} needs branches ${base} and ${input.head}`);
      }
      return openIssue(
        state,
        repo,
        {
          title: input.title,
          body: input.body ?? null,
          ...(input.user ? { user: input.user } : {}),
          labels: input.labels ?? [],
          pull: {
            head: input.head,
            base,
            draft: input.draft ?? false,
            maintainer_can_modify: true,
            requested_reviewers: [],
            baseSha,
            merged: false,
            merged_at: null,
            merged_by: null,
            merge_commit_sha: null,
            mergeable: input.mergeable ?? true,
          },
        },
        now(),
      );
    },
    protectBranch(fullName, branch) {
      need(state, fullName).protectedBranches.add(branch);
    },
  };
}
