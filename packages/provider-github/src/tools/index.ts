import type { ToolDefinition } from '@org/mcp-oauth-core';
import { getCommit, listCommits } from './commits.js';
import { createBranch } from './create-branch.js';
import { createOrUpdateFile } from './create-or-update-file.js';
import { getFileContents } from './get-file-contents.js';
import { getMe } from './get-me.js';
import { getIssue, listIssues } from './issues-read.js';
import { addIssueComment, createIssue, updateIssue } from './issues-write.js';
import { listBranches } from './list-branches.js';
import { getPullRequest, getPullRequestFiles, listPullRequests } from './pulls-read.js';
import { createPullRequest, mergePullRequest } from './pulls-write.js';
import { searchCode } from './search-code.js';
import { searchIssues } from './search-issues.js';
import { searchRepositories } from './search-repositories.js';
import { searchUsers } from './search-users.js';

/** Toolsets of the GitHub tools; an instance's `config.toolsets` selects among them. */
export const GITHUB_TOOLSETS = ['context', 'repos', 'search', 'issues', 'pull_requests', 'users'] as const;

/** Every GitHub tool, in listing order. Tools are filtered per instance by scopes, read-only mode and toolsets. */
export const githubTools: readonly ToolDefinition[] = [
  // context
  getMe,
  // repos
  getFileContents,
  listBranches,
  listCommits,
  getCommit,
  createBranch,
  createOrUpdateFile,
  // search
  searchRepositories,
  searchCode,
  // issues
  listIssues,
  getIssue,
  searchIssues,
  createIssue,
  updateIssue,
  addIssueComment,
  // pull_requests
  listPullRequests,
  getPullRequest,
  getPullRequestFiles,
  createPullRequest,
  mergePullRequest,
  // users
  searchUsers,
];
