import { randomBytes } from 'node:crypto';
import { GOOGLE_ACCESS_TOKEN_SECONDS } from './defaults.js';
import type { FakeGoogleClient, FakeGoogleState, FakeGoogleToken, FakeGoogleUser } from './types.js';

/** Authorization codes live ten minutes. */
export const GOOGLE_CODE_TTL_MS = 600_000;

/** The key of a user's grant to a client: revocation ends every token under it. */
export function grantKey(clientId: string, sub: string): string {
  return `${clientId} ${sub}`;
}

/** Creates an empty state with the given clients and users. */
export function createFakeGoogleState(
  clients: readonly FakeGoogleClient[],
  users: readonly FakeGoogleUser[],
): FakeGoogleState {
  return {
    clients: new Map(clients.map((client) => [client.clientId, { ...client }])),
    users: new Map(users.map((user) => [user.sub, { ...user }])),
    approvingSub: users[0]?.sub ?? '',
    codes: new Map(),
    tokens: new Map(),
    offlineConsents: new Set(),
    grantedScopes: new Map(),
    calls: { authorize: 0, token: 0, revoke: 0, userinfo: 0, tokeninfo: 0, certs: 0, not_found: 0 },
    refreshCalls: 0,
    faults: [],
    nextAuthorizeError: null,
    requests: [],
  };
}

/** A random value with Google's prefix (`ya29.`, `1//0`, `4/0A`). */
export function googleLike(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

/** Stores a new access token (and a refresh token when asked) for a grant and returns them. */
export function issueGoogleTokens(
  state: FakeGoogleState,
  input: { clientId: string; sub: string; scopes: string[]; offline: boolean; withRefreshToken: boolean },
  now: number,
): { access: FakeGoogleToken; refresh: FakeGoogleToken | null } {
  const base = {
    grant: grantKey(input.clientId, input.sub),
    clientId: input.clientId,
    sub: input.sub,
    scopes: [...input.scopes],
    offline: input.offline,
    revoked: false,
  };
  const access: FakeGoogleToken = {
    ...base,
    token: googleLike('ya29.a0'),
    kind: 'access',
    expiresAt: now + GOOGLE_ACCESS_TOKEN_SECONDS * 1000,
  };
  state.tokens.set(access.token, access);
  let refresh: FakeGoogleToken | null = null;
  if (input.withRefreshToken) {
    refresh = { ...base, token: googleLike('1//0'), kind: 'refresh', expiresAt: null };
    state.tokens.set(refresh.token, refresh);
  }
  return { access, refresh };
}

/** The token if it exists, is of `kind`, is not revoked and has not expired. */
export function findLiveGoogleToken(
  state: FakeGoogleState,
  token: string,
  kind: FakeGoogleToken['kind'],
  now: number,
): FakeGoogleToken | null {
  const record = state.tokens.get(token);
  if (!record || record.kind !== kind || record.revoked) return null;
  if (record.expiresAt !== null && record.expiresAt <= now) return null;
  return record;
}

/**
 * Revokes a token the way Google does: any token (access or refresh) ends the user's whole grant to the client,
 * so its other tokens die too and the next authorization shows consent and issues a refresh token again.
 * Returns false for an unknown or already revoked token (Google then answers `invalid_token`).
 */
export function revokeGoogleGrant(state: FakeGoogleState, token: string): boolean {
  const record = state.tokens.get(token);
  if (!record || record.revoked) return false;
  for (const other of state.tokens.values()) {
    if (other.grant === record.grant) other.revoked = true;
  }
  state.offlineConsents.delete(record.grant);
  state.grantedScopes.delete(record.grant);
  return true;
}
