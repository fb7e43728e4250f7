import type { ServerResponse } from 'node:http';
import { handleApiNotFound, handleApplicationToken, handleUser, requireUserAgent } from './api-routes.js';
import { FAKE_GITHUB_APP, FAKE_GITHUB_OAUTH_APP, FAKE_GITHUB_USERS } from './defaults.js';
import { applyFault, takeFault } from './faults.js';
import { createFixtures } from './fixtures.js';
import { type FakeRequest, send } from './http.js';
import { followAuthorizeRedirect, listenFake } from './listen.js';
import { handleAuthorize, handleToken, type RouteContext } from './oauth-routes.js';
import type { FakeGitHubFixtures } from './repo-types.js';
import { handleRest, isRestPath } from './rest-router.js';
import {
  addClient,
  createFakeGitHubState,
  findLiveToken,
  type IssuedTokenSet,
  issueTokens,
  revokeAccessToken,
  toFakeUser,
} from './state.js';
import type {
  FakeGitHubClient,
  FakeGitHubFault,
  FakeGitHubFaultTarget,
  FakeGitHubRoute,
  FakeGitHubState,
  FakeGitHubUser,
  FakeGitHubUserInput,
} from './types.js';

/** Options of {@link startFakeGitHub}. */
export interface FakeGitHubOptions {
  /** Registered apps; replaces the defaults. @default [FAKE_GITHUB_OAUTH_APP, FAKE_GITHUB_APP] */
  clients?: readonly FakeGitHubClient[];
  /** Known users; replaces the defaults. @default FAKE_GITHUB_USERS (octocat, hubot) */
  users?: readonly FakeGitHubUserInput[];
  /** Login of the user who approves authorizations. @default the first user */
  approvingLogin?: string;
  /** Clock for code and token expiry. @default Date.now */
  now?: () => number;
}

/** A running fake GitHub. Read `state` for assertions, use the controls to steer the next answers. */
export interface FakeGitHub {
  /** `http://127.0.0.1:<port>`: pass as the provider's `baseUrl`. */
  url: string;
  /** `${url}/login/oauth`: the OAuth endpoints are `${oauthUrl}/authorize` and `${oauthUrl}/access_token`. */
  oauthUrl: string;
  /** `${url}/api/v3` (GitHub Enterprise Server layout): pass as the provider's `apiUrl`. */
  apiUrl: string;
  state: FakeGitHubState;
  /** Seeds repositories, commits, issues and pull requests served under `/api/v3/repos/…` and `/search/…`. */
  fixtures: FakeGitHubFixtures;
  /** The known users in their `/user` representation. */
  readonly users: FakeGitHubUser[];
  /** Makes `login` approve the following authorizations. */
  approveAs(login: string): void;
  /** Grants these scopes on following approvals instead of the requested ones (`null` restores). */
  grantScopes(scopes: readonly string[] | null): void;
  /** The next authorize request redirects back with `error=access_denied`. */
  denyNextAuthorization(description?: string): void;
  /** The next authorize request redirects back with this `error`. */
  failNextAuthorization(error: string, description?: string): void;
  /** The next `times` requests to the target answer with `fault` instead. */
  injectFault(target: FakeGitHubFaultTarget, fault: FakeGitHubFault, times?: number): void;
  /** Issues a token without the browser flow. @default octocat, the first client, scopes ['read:user'] */
  issueToken(input?: { login?: string; clientId?: string; scopes?: readonly string[] }): IssuedTokenSet;
  /** Makes an access or refresh token expire now. */
  expireToken(token: string): void;
  /** Revokes an access token (and its refresh token) as if the user did it on github.com. */
  revokeToken(token: string): boolean;
  /** Whether an access token is currently accepted by the API. */
  isTokenLive(token: string): boolean;
  addClient(client: FakeGitHubClient): void;
  addUser(user: FakeGitHubUserInput): FakeGitHubUser;
  /** Follows an authorization URL like a browser would and returns the redirect target (with code or error). */
  approve(authorizationUrl: string | URL): Promise<URL>;
  /** Stops the server, dropping hanging requests. */
  close(): Promise<void>;
}

function routeOf(method: string, path: string): { route: FakeGitHubRoute; clientId?: string } {
  if (path === '/login/oauth/authorize' && method === 'GET') return { route: 'authorize' };
  if (path === '/login/oauth/access_token' && method === 'POST') return { route: 'token' };
  if (path === '/api/v3/user' && method === 'GET') return { route: 'user' };
  const app = /^\/api\/v3\/applications\/([^/]+)\/token$/.exec(path);
  if (app?.[1] && method === 'DELETE') return { route: 'revoke', clientId: decodeURIComponent(app[1]) };
  if (app?.[1] && method === 'POST') return { route: 'check_token', clientId: decodeURIComponent(app[1]) };
  if (isRestPath(path)) return { route: 'rest' };
  return { route: 'not_found' };
}

async function dispatch(ctx: RouteContext, req: FakeRequest, res: ServerResponse): Promise<void> {
  const { route, clientId } = routeOf(req.method, req.url.pathname);
  ctx.state.calls[route] += 1;
  ctx.state.requests.push({
    method: req.method,
    url: req.url.pathname + req.url.search,
    route,
    headers: req.headers,
    body: req.body,
  });
  if (route === 'authorize') return handleAuthorize(ctx, req, res);
  if (route === 'token') return handleToken(ctx, req, res);
  if (!req.url.pathname.startsWith('/api/v3/')) {
    send(res, 404, { 'content-type': 'text/plain' }, 'Not Found');
    return;
  }
  if (!requireUserAgent(req, res)) return;
  const fault = takeFault(ctx.state, 'api');
  if (fault) return applyFault(res, fault, ctx.now());
  if (route === 'user') return handleUser(ctx, req, res);
  if ((route === 'revoke' || route === 'check_token') && clientId) {
    return handleApplicationToken(ctx, req, res, clientId);
  }
  if (route === 'rest') return handleRest(ctx, req, res);
  handleApiNotFound(res);
}

/**
 * Starts a fake GitHub (OAuth endpoints and a slice of the REST API) on 127.0.0.1 with a free port.
 * It imitates GitHub's quirks: token errors with HTTP 200, form-encoded token responses unless JSON is asked for,
 * comma-separated scopes, never-expiring OAuth App tokens, GitHub App tokens with single-use refresh tokens,
 * revocation via `DELETE /applications/{client_id}/token`, 403 without User-Agent. Its REST slice (repositories,
 * contents, branches, commits, issues, pull requests, search; see `fixtures`) adds `Link` pagination,
 * `{"message":"Not Found"}`, 422 validation errors, OAuth scope headers with 403 for a missing `repo` scope,
 * and injectable primary and secondary rate limits.
 *
 * @example
 * ```ts
 * const gh = await startFakeGitHub();
 * const provider = github({ baseUrl: gh.url, apiUrl: gh.apiUrl });
 * const { access_token } = gh.issueToken({ scopes: ['repo'] });
 * await gh.close();
 * ```
 */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const now = options.now ?? Date.now;
  const users = options.users ?? FAKE_GITHUB_USERS;
  const clients = options.clients ?? [FAKE_GITHUB_OAUTH_APP, FAKE_GITHUB_APP];
  let ctx: RouteContext | null = null;

  const server = await listenFake('fake GitHub', async (req, res) => {
    if (!ctx) throw new Error('not listening yet');
    await dispatch(ctx, req, res);
  });
  const { url } = server;
  const state = createFakeGitHubState(clients, users, url, options.approvingLogin ?? users[0]?.login ?? '');
  ctx = { state, now, baseUrl: url };

  return {
    url,
    oauthUrl: `${url}/login/oauth`,
    apiUrl: `${url}/api/v3`,
    state,
    fixtures: createFixtures(state, now),
    get users() {
      return [...state.users.values()];
    },
    approveAs(login) {
      state.approvingLogin = login;
    },
    grantScopes(scopes) {
      state.grantedScopesOverride = scopes ? [...scopes] : null;
    },
    denyNextAuthorization(description = 'The user has denied your application access.') {
      state.nextAuthorizeError = { error: 'access_denied', description };
    },
    failNextAuthorization(error, description = 'The authorization request failed.') {
      state.nextAuthorizeError = { error, description };
    },
    injectFault(target, fault, times = 1) {
      for (let i = 0; i < times; i += 1) state.faults[target].push(fault);
    },
    issueToken(input = {}) {
      const clientId = input.clientId ?? clients[0]?.clientId ?? '';
      const login = input.login ?? state.approvingLogin;
      return issueTokens(state, { clientId, login, scopes: [...(input.scopes ?? ['read:user'])] }, now());
    },
    expireToken(token) {
      const access = state.tokens.get(token);
      if (access) access.expiresAt = now();
      const refresh = state.refreshTokens.get(token);
      if (refresh) refresh.expiresAt = now();
    },
    revokeToken: (token) => revokeAccessToken(state, token),
    isTokenLive: (token) => findLiveToken(state, token, now()) !== null,
    addClient: (client) => addClient(state, client),
    addUser(user) {
      const created = toFakeUser(user, url);
      state.users.set(user.login, created);
      return created;
    },
    approve: (authorizationUrl) => followAuthorizeRedirect('fake GitHub', authorizationUrl),
    close: () => server.close(),
  };
}
