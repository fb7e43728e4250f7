import { randomBytes } from 'node:crypto';
import { takeAccessTokenLifetime } from './token-lifetime.js';
import type {
  FakeGitHubClient,
  FakeGitHubRefreshToken,
  FakeGitHubState,
  FakeGitHubToken,
  FakeGitHubUser,
  FakeGitHubUserInput,
} from './types.js';

/** GitHub App user access tokens live 8 hours. */
export const GITHUB_APP_TOKEN_TTL_SECONDS = 28_800;
/** GitHub App refresh tokens live 6 months. */
export const GITHUB_APP_REFRESH_TTL_SECONDS = 15_897_600;
/** Authorization codes live 10 minutes. */
export const CODE_TTL_MS = 600_000;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random GitHub-looking token: prefix plus base62 characters. */
export function randomToken(prefix: string, length = 36): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const byte of bytes) out += BASE62[byte % 62];
  return out;
}

/** Fills in the `/user` fields GitHub returns. */
export function toFakeUser(input: FakeGitHubUserInput, baseUrl: string): FakeGitHubUser {
  return {
    login: input.login,
    id: input.id,
    node_id: Buffer.from(`04:User${input.id}`).toString('base64'),
    name: input.name === undefined ? input.login : input.name,
    email: input.email ?? null,
    avatar_url: `https://avatars.githubusercontent.com/u/${input.id}?v=4`,
    html_url: `${baseUrl}/${input.login}`,
    type: input.type ?? 'User',
    site_admin: input.site_admin ?? false,
    company: input.company ?? null,
    blog: input.blog ?? '',
    location: input.location ?? null,
    bio: input.bio ?? null,
    public_repos: input.public_repos ?? 8,
    followers: input.followers ?? 20,
    following: input.following ?? 9,
    created_at: '2011-01-25T18:44:36Z',
    updated_at: '2024-05-01T12:00:00Z',
  };
}

/** Builds the initial state from the options. */
export function createFakeGitHubState(
  clients: readonly FakeGitHubClient[],
  users: readonly FakeGitHubUserInput[],
  baseUrl: string,
  approvingLogin: string,
): FakeGitHubState {
  const state: FakeGitHubState = {
    clients: new Map(),
    users: new Map(),
    codes: new Map(),
    tokens: new Map(),
    refreshTokens: new Map(),
    revokedTokens: new Set(),
    calls: { authorize: 0, token: 0, user: 0, revoke: 0, check_token: 0, rest: 0, not_found: 0 },
    refreshCalls: 0,
    requests: [],
    approvingLogin,
    grantedScopesOverride: null,
    nextAuthorizeError: null,
    faults: { token: [], api: [] },
    rateLimitUsed: new Map(),
    repos: new Map(),
    nextId: 1_000_000,
    commitSeq: 0,
    searchIncompleteResults: false,
  };
  for (const client of clients) addClient(state, client);
  for (const user of users) state.users.set(user.login, toFakeUser(user, baseUrl));
  return state;
}

/** Registers (or replaces) a client. */
export function addClient(state: FakeGitHubState, client: FakeGitHubClient): void {
  state.clients.set(client.clientId, {
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    mode: client.mode ?? 'oauth-app',
    name: client.name ?? 'Fake app',
    redirectUris: client.redirectUris ?? [],
  });
}

/** What a successful token response carries (before encoding as JSON or form). */
export interface IssuedTokenSet {
  access_token: string;
  token_type: 'bearer';
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

/** Issues an access token (and for GitHub Apps a refresh token) for a user of a client. */
export function issueTokens(
  state: FakeGitHubState,
  input: { clientId: string; login: string; scopes: string[] },
  now: number,
): IssuedTokenSet {
  const client = state.clients.get(input.clientId);
  if (!client) throw new Error(`fake GitHub: unknown client ${input.clientId}`);
  if (client.mode === 'oauth-app') {
    const token: FakeGitHubToken = {
      token: randomToken('gho_'),
      clientId: client.clientId,
      login: input.login,
      scopes: input.scopes,
      createdAt: now,
      expiresAt: null,
      refreshToken: null,
      revoked: false,
    };
    state.tokens.set(token.token, token);
    return { access_token: token.token, token_type: 'bearer', scope: input.scopes.join(',') };
  }
  const refresh: FakeGitHubRefreshToken = {
    token: randomToken('ghr_', 76),
    clientId: client.clientId,
    login: input.login,
    scopes: [],
    accessToken: '',
    expiresAt: now + GITHUB_APP_REFRESH_TTL_SECONDS * 1000,
    used: false,
    revoked: false,
  };
  const lifetime = takeAccessTokenLifetime(state, GITHUB_APP_TOKEN_TTL_SECONDS);
  const token: FakeGitHubToken = {
    token: randomToken('ghu_'),
    clientId: client.clientId,
    login: input.login,
    scopes: [],
    createdAt: now,
    expiresAt: now + lifetime * 1000,
    refreshToken: refresh.token,
    revoked: false,
  };
  refresh.accessToken = token.token;
  state.tokens.set(token.token, token);
  state.refreshTokens.set(refresh.token, refresh);
  return {
    access_token: token.token,
    expires_in: lifetime,
    refresh_token: refresh.token,
    refresh_token_expires_in: GITHUB_APP_REFRESH_TTL_SECONDS,
    token_type: 'bearer',
    scope: '',
  };
}

/** Returns the token record when it is known, not revoked and not expired. */
export function findLiveToken(state: FakeGitHubState, token: string, now: number): FakeGitHubToken | null {
  const record = state.tokens.get(token);
  if (!record || record.revoked) return null;
  if (record.expiresAt !== null && record.expiresAt <= now) return null;
  return record;
}

/** Revokes an access token and the refresh token issued with it. Returns false when unknown. */
export function revokeAccessToken(state: FakeGitHubState, token: string): boolean {
  const record = state.tokens.get(token);
  if (!record) return false;
  record.revoked = true;
  state.revokedTokens.add(token);
  if (record.refreshToken) {
    const refresh = state.refreshTokens.get(record.refreshToken);
    if (refresh) refresh.revoked = true;
    state.revokedTokens.add(record.refreshToken);
  }
  return true;
}
