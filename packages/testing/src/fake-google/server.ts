import type { ServerResponse } from 'node:http';
import { type FakeRequest, send } from '../fake-github/http.js';
import { followAuthorizeRedirect, listenFake } from '../fake-github/listen.js';
import { handleGoogleCerts, handleGoogleTokeninfo, handleGoogleUserinfo } from './api-routes.js';
import { handleGoogleAuthorize } from './authorize-route.js';
import type { GoogleRouteContext } from './context.js';
import { FAKE_GOOGLE_CLIENT, FAKE_GOOGLE_USERS } from './defaults.js';
import { createSigningKey } from './id-token.js';
import { createFakeGoogleState, findLiveGoogleToken, revokeGoogleGrant } from './state.js';
import { handleGoogleRevoke, handleGoogleToken } from './token-routes.js';
import type {
  FakeGoogleClient,
  FakeGoogleFault,
  FakeGoogleRoute,
  FakeGoogleState,
  FakeGoogleUser,
} from './types.js';

/** Options of {@link startFakeGoogle}. */
export interface FakeGoogleOptions {
  /** Registered clients; replaces the default. @default [FAKE_GOOGLE_CLIENT] */
  clients?: readonly FakeGoogleClient[];
  /** Known accounts; replaces the defaults. The first approves. @default FAKE_GOOGLE_USERS */
  users?: readonly FakeGoogleUser[];
  /** Clock for code, token and ID-token times. @default Date.now */
  now?: () => number;
  /**
   * Whether token responses carry a signed `id_token` when `openid` was granted (as Google's do).
   * oauth4webapi checks its `exp` against the wall clock, so with an injected clock far from real time either
   * start that clock near `Date.now()` or turn ID tokens off. @default true
   */
  idTokens?: boolean;
}

/** A running fake Google. Read `state` for assertions; use the controls to steer the next answers. */
export interface FakeGoogle {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Pass as google()'s `authorizationUrl`. */
  authUrl: string;
  /** Pass as google()'s `tokenUrl`. */
  tokenUrl: string;
  /** Pass as google()'s `revocationUrl`. */
  revokeUrl: string;
  /** Pass as google()'s `apiUrl` (userinfo, tokeninfo and certs live under `/oauth2/v3/`). */
  apiUrl: string;
  state: FakeGoogleState;
  /** Makes the account with this `sub` or e-mail approve the following authorizations. */
  approveAs(subOrEmail: string): void;
  /** The next authorization redirects back with `error=access_denied`. */
  denyNextAuthorization(description?: string): void;
  /** The next `times` token requests answer with `fault` instead (counted in `state.refreshCalls` still). */
  injectTokenFault(fault: FakeGoogleFault, times?: number): void;
  /** Makes an access token expire now. */
  expireToken(token: string): void;
  /** Revokes a token and its whole grant as if the user removed the app in their Google Account. */
  revokeToken(token: string): boolean;
  /** Whether an access or refresh token is currently accepted. */
  isTokenLive(token: string): boolean;
  /** Follows an authorization URL like a browser would and returns the redirect target (code or error). */
  approve(authorizationUrl: string | URL): Promise<URL>;
  /** Stops the server. */
  close(): Promise<void>;
}

function routeOf(method: string, path: string): FakeGoogleRoute {
  if (path === '/o/oauth2/v2/auth' && method === 'GET') return 'authorize';
  if (path === '/token' && method === 'POST') return 'token';
  if (path === '/revoke' && method === 'POST') return 'revoke';
  if (path === '/oauth2/v3/userinfo' && (method === 'GET' || method === 'POST')) return 'userinfo';
  if (path === '/oauth2/v3/tokeninfo' && (method === 'GET' || method === 'POST')) return 'tokeninfo';
  if (path === '/oauth2/v3/certs' && method === 'GET') return 'certs';
  return 'not_found';
}

function dispatch(ctx: GoogleRouteContext, req: FakeRequest, res: ServerResponse): void {
  const route = routeOf(req.method, req.url.pathname);
  ctx.state.calls[route] += 1;
  ctx.state.requests.push({
    method: req.method,
    url: req.url.pathname + req.url.search,
    route,
    headers: req.headers,
    body: req.body,
  });
  if (route === 'authorize') {
    handleGoogleAuthorize(ctx, req, res);
    return;
  }
  if (route === 'token') {
    handleGoogleToken(ctx, req, res);
    return;
  }
  if (route === 'revoke') {
    handleGoogleRevoke(ctx, req, res);
    return;
  }
  if (route === 'userinfo') {
    handleGoogleUserinfo(ctx, req, res);
    return;
  }
  if (route === 'tokeninfo') {
    handleGoogleTokeninfo(ctx, req, res);
    return;
  }
  if (route === 'certs') {
    handleGoogleCerts(ctx, res);
    return;
  }
  send(res, 404, { 'content-type': 'text/html; charset=utf-8' }, '<h1>404. That’s an error.</h1>');
}

/**
 * Starts a fake Google (OAuth 2 endpoints, userinfo, tokeninfo, certs) on 127.0.0.1 with a free port.
 * Quirks imitated: `iss` on the callback, refresh tokens only for `access_type=offline` and on repeat consent only
 * with `prompt=consent`, non-rotating refresh (no `refresh_token` in refresh answers), `email`/`profile` answered
 * as `…/auth/userinfo.*` URLs, revocation of any token ending the whole grant, 400 `invalid_token` when revoking an
 * unknown or revoked token, RS256 ID tokens, 400 JSON token errors, injectable 5xx and 429 with `Retry-After`.
 *
 * @example
 * ```ts
 * const fake = await startFakeGoogle();
 * const provider = google({
 *   authorizationUrl: fake.authUrl, tokenUrl: fake.tokenUrl, revocationUrl: fake.revokeUrl, apiUrl: fake.apiUrl,
 * });
 * await fake.close();
 * ```
 */
export async function startFakeGoogle(options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  const now = options.now ?? Date.now;
  const users = options.users ?? FAKE_GOOGLE_USERS;
  const state = createFakeGoogleState(options.clients ?? [FAKE_GOOGLE_CLIENT], users);
  const ctx: GoogleRouteContext = {
    state,
    now,
    signingKey: await createSigningKey(),
    idTokens: options.idTokens ?? true,
  };
  const server = await listenFake('fake Google', (req, res) => dispatch(ctx, req, res));
  const base = server.url;

  return {
    url: base,
    authUrl: `${base}/o/oauth2/v2/auth`,
    tokenUrl: `${base}/token`,
    revokeUrl: `${base}/revoke`,
    apiUrl: base,
    state,
    approveAs(subOrEmail) {
      const user = [...state.users.values()].find((u) => u.sub === subOrEmail || u.email === subOrEmail);
      if (!user) throw new Error('fake Google: no such account');
      state.approvingSub = user.sub;
    },
    denyNextAuthorization(description = 'The user denied access.') {
      state.nextAuthorizeError = { error: 'access_denied', description };
    },
    injectTokenFault(fault, times = 1) {
      for (let i = 0; i < times; i += 1) state.faults.push(fault);
    },
    expireToken(token) {
      const record = state.tokens.get(token);
      if (record?.kind === 'access') record.expiresAt = now();
    },
    revokeToken: (token) => revokeGoogleGrant(state, token),
    isTokenLive(token) {
      const kind = state.tokens.get(token)?.kind ?? 'access';
      return findLiveGoogleToken(state, token, kind, now()) !== null;
    },
    approve: (authorizationUrl) => followAuthorizeRedirect('fake Google', authorizationUrl),
    close: () => server.close(),
  };
}
