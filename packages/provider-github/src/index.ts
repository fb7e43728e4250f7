export {
  createGitHubClient,
  type GitHubClient,
  type GitHubClientOptions,
  type GitHubMethod,
  type GitHubQuery,
  type GitHubRequestOptions,
  type GitHubResponse,
  type GitHubRetryOptions,
} from './api/client.js';
export { GitHubApiError, type GitHubApiErrorCode, type GitHubApiErrorOptions } from './api/errors.js';
export { type Page, type PaginateOptions, paginate } from './api/paginate.js';
export { type LinkRelation, type PageInfo, pageInfo, parseLinkHeader } from './api/pagination.js';
export { expandScopes, satisfiesScopes } from './api/scopes.js';
export type { GitHubProviderOptions } from './options.js';
export { github } from './provider.js';
export { githubResourceTemplates } from './resources/index.js';
export { mimeTypeOf, REPO_CONTENTS_TEMPLATE, repoContents } from './resources/repo-contents.js';
export { getCommit, listCommits } from './tools/commits.js';
export { createBranch } from './tools/create-branch.js';
export { createOrUpdateFile } from './tools/create-or-update-file.js';
export { getFileContents } from './tools/get-file-contents.js';
export { getMe } from './tools/get-me.js';
export { GITHUB_TOOLSETS, githubTools } from './tools/index.js';
export { getIssue, listIssues } from './tools/issues-read.js';
export { addIssueComment, createIssue, updateIssue } from './tools/issues-write.js';
export { listBranches } from './tools/list-branches.js';
export { getPullRequest, getPullRequestFiles, listPullRequests } from './tools/pulls-read.js';
export { createPullRequest, mergePullRequest } from './tools/pulls-write.js';
export { searchCode } from './tools/search-code.js';
export { searchIssues } from './tools/search-issues.js';
export { searchRepositories } from './tools/search-repositories.js';
export { searchUsers } from './tools/search-users.js';
