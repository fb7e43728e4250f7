/** A commit of a fake repository: a full snapshot of the files, so diffs and contents are easy to compute. */
export interface FakeCommit {
  sha: string;
  message: string;
  author: { login: string | null; name: string; email: string; date: string };
  parents: string[];
  /** Path → UTF-8 content, every file of the repository at this commit. */
  tree: Map<string, string>;
}

/** A comment on an issue or pull request. */
export interface FakeComment {
  id: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

/** Pull-request part of a {@link FakeIssue}. */
export interface FakePull {
  /** Head branch name (same repository). */
  head: string;
  base: string;
  draft: boolean;
  maintainer_can_modify: boolean;
  requested_reviewers: string[];
  /** Commit the base branch pointed to when the pull request was opened (its merge base). */
  baseSha: string;
  merged: boolean;
  merged_at: string | null;
  merged_by: string | null;
  merge_commit_sha: string | null;
  /** `false` makes the merge endpoint answer 405 "Pull Request is not mergeable". @default true */
  mergeable: boolean;
}

/** An issue; pull requests are issues with `pull` set, sharing the number sequence, as on GitHub. */
export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  user: string;
  labels: string[];
  assignees: string[];
  milestone: number | null;
  locked: boolean;
  comments: FakeComment[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  pull: FakePull | null;
}

/** A repository of the fake. */
export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  description: string | null;
  topics: string[];
  language: string | null;
  default_branch: string;
  stargazers_count: number;
  forks_count: number;
  archived: boolean;
  fork: boolean;
  created_at: string;
  updated_at: string;
  pushed_at: string;
  /** Branch name → commit SHA. */
  branches: Map<string, string>;
  protectedBranches: Set<string>;
  commits: Map<string, FakeCommit>;
  /** Issues and pull requests by number. */
  issues: Map<number, FakeIssue>;
  nextNumber: number;
}

/** What {@link FakeGitHubFixtures.addRepo} takes. */
export interface FakeRepoInput {
  owner: string;
  name: string;
  private?: boolean;
  description?: string | null;
  topics?: string[];
  language?: string | null;
  /** @default 'main' */
  default_branch?: string;
  stargazers_count?: number;
  forks_count?: number;
  /** Files of the initial commit. @default { 'README.md': '# <name>\n' } */
  files?: Record<string, string>;
}

/** What {@link FakeGitHubFixtures.commit} takes. */
export interface FakeCommitInput {
  /** Branch to commit to; created from the default branch when missing. @default the default branch */
  branch?: string;
  message: string;
  /** Files to write; `null` deletes the file. */
  files: Record<string, string | null>;
  /** Login of the author. @default the repository owner */
  author?: string;
}

/** What {@link FakeGitHubFixtures.addIssue} takes. */
export interface FakeIssueInput {
  title: string;
  body?: string | null;
  /** @default the repository owner */
  user?: string;
  labels?: string[];
  assignees?: string[];
  state?: 'open' | 'closed';
  /** Bodies of comments, written by the issue's author. */
  comments?: string[];
}

/** What {@link FakeGitHubFixtures.addPull} takes. */
export interface FakePullInput {
  title: string;
  head: string;
  /** @default the default branch */
  base?: string;
  body?: string | null;
  user?: string;
  draft?: boolean;
  mergeable?: boolean;
  labels?: string[];
}

/** Controls for seeding repositories, commits, issues and pull requests. */
export interface FakeGitHubFixtures {
  /** Creates a repository with one initial commit on its default branch. */
  addRepo(input: FakeRepoInput): FakeRepo;
  /** The repository `owner/name` (case-insensitive), if it exists. */
  repo(fullName: string): FakeRepo | undefined;
  /** Commits files to a branch. */
  commit(fullName: string, input: FakeCommitInput): FakeCommit;
  /** Creates a branch at `from` (a branch name; default: the default branch). Returns its SHA. */
  branch(fullName: string, name: string, from?: string): string;
  addIssue(fullName: string, input: FakeIssueInput): FakeIssue;
  /** Opens a pull request from an existing head branch. */
  addPull(fullName: string, input: FakePullInput): FakeIssue;
  /** Marks a branch protected (shown by the branches listing). */
  protectBranch(fullName: string, branch: string): void;
}
