import type { FakeGoogleClient, FakeGoogleUser } from './types.js';

/** Issuer Google reports in `iss` (callback parameter and ID tokens). */
export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** Access token lifetime Google reports (`expires_in`), in seconds. */
export const GOOGLE_ACCESS_TOKEN_SECONDS = 3599;

/** The default client: an id in Google's `<number>-<hash>.apps.googleusercontent.com` format. Test values only. */
export const FAKE_GOOGLE_CLIENT: FakeGoogleClient = {
  clientId: '123456789012-fake0google0client0id0abcdef.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-fake-google-test-secret',
  redirectUris: [],
};

/** Default accounts; the first approves authorizations. */
export const FAKE_GOOGLE_USERS: readonly FakeGoogleUser[] = [
  {
    sub: '110169484474386276334',
    email: 'ada@example.com',
    emailVerified: true,
    name: 'Ada Lovelace',
    givenName: 'Ada',
    familyName: 'Lovelace',
    picture: 'https://lh3.googleusercontent.com/a/fake-ada',
  },
  {
    sub: '104857600000000000042',
    email: 'grace@example.com',
    emailVerified: true,
    name: 'Grace Hopper',
    givenName: 'Grace',
    familyName: 'Hopper',
    picture: 'https://lh3.googleusercontent.com/a/fake-grace',
  },
];

const SHORT_SCOPES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

/** Google answers `email`/`profile` with their URL forms (`…/auth/userinfo.email`), as the real one does. */
export function normalizeGoogleScope(scope: string): string {
  return SHORT_SCOPES[scope] ?? scope;
}
