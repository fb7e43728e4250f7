export {
  FAKE_GITHUB_APP,
  FAKE_GITHUB_OAUTH_APP,
  FAKE_GITHUB_USERS,
} from './defaults.js';
export type {
  FakeComment,
  FakeCommit,
  FakeCommitInput,
  FakeGitHubFixtures,
  FakeIssue,
  FakeIssueInput,
  FakePull,
  FakePullInput,
  FakeRepo,
  FakeRepoInput,
} from './repo-types.js';
export type { FakeGitHub, FakeGitHubOptions } from './server.js';
export { startFakeGitHub } from './server.js';
export type { IssuedTokenSet } from './state.js';
export { nextAccessTokenExpiresIn } from './token-lifetime.js';
export type {
  FakeGitHubAppMode,
  FakeGitHubClient,
  FakeGitHubCode,
  FakeGitHubFault,
  FakeGitHubFaultTarget,
  FakeGitHubRefreshToken,
  FakeGitHubRequest,
  FakeGitHubRoute,
  FakeGitHubState,
  FakeGitHubToken,
  FakeGitHubUser,
  FakeGitHubUserInput,
} from './types.js';
