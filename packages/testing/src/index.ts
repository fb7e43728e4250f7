export type {
  FakeComment,
  FakeCommit,
  FakeCommitInput,
  FakeGitHub,
  FakeGitHubAppMode,
  FakeGitHubClient,
  FakeGitHubCode,
  FakeGitHubFault,
  FakeGitHubFaultTarget,
  FakeGitHubFixtures,
  FakeGitHubOptions,
  FakeGitHubRefreshToken,
  FakeGitHubRequest,
  FakeGitHubRoute,
  FakeGitHubState,
  FakeGitHubToken,
  FakeGitHubUser,
  FakeGitHubUserInput,
  FakeIssue,
  FakeIssueInput,
  FakePull,
  FakePullInput,
  FakeRepo,
  FakeRepoInput,
  IssuedTokenSet,
} from './fake-github/index.js';
export {
  FAKE_GITHUB_APP,
  FAKE_GITHUB_OAUTH_APP,
  FAKE_GITHUB_USERS,
  nextAccessTokenExpiresIn,
  startFakeGitHub,
} from './fake-github/index.js';
export type {
  FakeGoogle,
  FakeGoogleClient,
  FakeGoogleCode,
  FakeGoogleFault,
  FakeGoogleOptions,
  FakeGoogleRequest,
  FakeGoogleRoute,
  FakeGoogleState,
  FakeGoogleToken,
  FakeGoogleUser,
} from './fake-google/index.js';
export {
  FAKE_GOOGLE_CLIENT,
  FAKE_GOOGLE_USERS,
  GOOGLE_ACCESS_TOKEN_SECONDS,
  GOOGLE_ISSUER,
  normalizeGoogleScope,
  startFakeGoogle,
} from './fake-google/index.js';
export type { PrivateRedis } from './private-redis.js';
export { freePort, redisServerAvailable, startPrivateRedis } from './private-redis.js';
export type { StoreSuiteFactory, StoreSuiteHarness } from './store-suite.js';
export { storeSuite } from './store-suite.js';
export type { StoreTable } from './tables.js';
export { ALL_TABLES } from './tables.js';
export type { ThrowAwayDatabase } from './throw-away-database.js';
export { createTestPool, createThrowAwayDatabase } from './throw-away-database.js';
