import type { FakeGitHubClient, FakeGitHubUserInput } from './types.js';

/** Default OAuth App of the fake: `gho_` tokens that never expire. */
export const FAKE_GITHUB_OAUTH_APP: Readonly<
  Required<Pick<FakeGitHubClient, 'clientId' | 'clientSecret' | 'mode'>>
> = {
  clientId: 'Ov23liFakeOAuthApp01',
  clientSecret: 'fake0oauth0app0secret00000000000000000001',
  mode: 'oauth-app',
};

/** Default GitHub App of the fake: expiring `ghu_` tokens with rotating `ghr_` refresh tokens. */
export const FAKE_GITHUB_APP: Readonly<
  Required<Pick<FakeGitHubClient, 'clientId' | 'clientSecret' | 'mode'>>
> = {
  clientId: 'Iv23liFakeGitHubApp1',
  clientSecret: 'fake0github0app0secret0000000000000000002',
  mode: 'github-app',
};

/** Default users of the fake; the first one approves authorizations unless told otherwise. */
export const FAKE_GITHUB_USERS: readonly FakeGitHubUserInput[] = [
  {
    login: 'octocat',
    id: 583231,
    name: 'The Octocat',
    company: '@github',
    blog: 'https://github.blog',
    location: 'San Francisco',
  },
  { login: 'hubot', id: 480938, name: 'Hubot' },
];
