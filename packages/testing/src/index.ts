export type {
  FakeGitHub,
  FakeGitHubAppMode,
  FakeGitHubClient,
  FakeGitHubCode,
  FakeGitHubFault,
  FakeGitHubFaultTarget,
  FakeGitHubOptions,
  FakeGitHubRefreshToken,
  FakeGitHubRequest,
  FakeGitHubRoute,
  FakeGitHubState,
  FakeGitHubToken,
  FakeGitHubUser,
  FakeGitHubUserInput,
  IssuedTokenSet,
} from './fake-github/index.js';
export {
  FAKE_GITHUB_APP,
  FAKE_GITHUB_OAUTH_APP,
  FAKE_GITHUB_USERS,
  startFakeGitHub,
} from './fake-github/index.js';
export type { StoreSuiteFactory, StoreSuiteHarness } from './store-suite.js';
export { storeSuite } from './store-suite.js';
