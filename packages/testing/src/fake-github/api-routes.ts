import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type FakeRequest, parseBasicAuth, parseJsonFields, parseTokenAuth, send, sendJson } from './http.js';
import type { RouteContext } from './oauth-routes.js';
import { findLiveToken, revokeAccessToken } from './state.js';

const RATE_LIMIT = 5000;
const DOCS = 'https://docs.github.com/rest';

/** Headers GitHub puts on every REST response. */
function baseHeaders(): Record<string, string> {
  return {
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-github-media-type': 'github.v3; format=json',
  };
}

function apiError(res: ServerResponse, status: number, message: string, docs = DOCS): void {
  sendJson(res, status, { message, documentation_url: docs, status: String(status) }, baseHeaders());
}

/** GitHub refuses API requests without a User-Agent. Returns false after answering 403. */
export function requireUserAgent(req: FakeRequest, res: ServerResponse): boolean {
  if (req.headers['user-agent']) return true;
  send(
    res,
    403,
    { 'content-type': 'text/plain; charset=utf-8' },
    'Request forbidden by administrative rules. Please make sure your request has a User-Agent header ' +
      '(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).',
  );
  return false;
}

/** Answers the generic REST 404. */
export function handleApiNotFound(res: ServerResponse): void {
  apiError(res, 404, 'Not Found');
}

/** `GET /api/v3/user`: the profile of the token's user, with scope and rate-limit headers. */
export function handleUser(ctx: RouteContext, req: FakeRequest, res: ServerResponse): void {
  const { state } = ctx;
  const token = parseTokenAuth(req.headers);
  if (!token) {
    apiError(res, 401, 'Requires authentication', `${DOCS}/users/users#get-the-authenticated-user`);
    return;
  }
  const now = ctx.now();
  const record = findLiveToken(state, token, now);
  const user = record ? state.users.get(record.login) : undefined;
  if (!record || !user) {
    apiError(res, 401, 'Bad credentials');
    return;
  }
  const used = (state.rateLimitUsed.get(user.login) ?? 0) + 1;
  state.rateLimitUsed.set(user.login, used);
  sendJson(res, 200, user, {
    ...baseHeaders(),
    'x-oauth-scopes': record.scopes.join(', '),
    'x-accepted-oauth-scopes': '',
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - used)),
    'x-ratelimit-reset': String(Math.ceil(now / 1000) + 3600),
    'x-ratelimit-used': String(used),
    'x-ratelimit-resource': 'core',
  });
}

/**
 * `DELETE|POST /api/v3/applications/{client_id}/token`: revoke or check a token, authenticated with the app's
 * client id and secret (Basic). Bad client credentials → 401; a token unknown to this app → 404.
 */
export function handleApplicationToken(
  ctx: RouteContext,
  req: FakeRequest,
  res: ServerResponse,
  clientId: string,
): void {
  const { state } = ctx;
  const basic = parseBasicAuth(req.headers);
  const client = state.clients.get(clientId);
  if (!basic || !client || basic.id !== clientId || basic.secret !== client.clientSecret) {
    apiError(res, 401, 'Bad credentials');
    return;
  }
  const accessToken = parseJsonFields(req.body).access_token;
  if (!accessToken) {
    apiError(res, 422, 'Invalid request.\n\n"access_token" wasn\'t supplied.');
    return;
  }
  const record = state.tokens.get(accessToken);
  const now = ctx.now();
  if (!record || record.revoked || record.clientId !== clientId) {
    handleApiNotFound(res);
    return;
  }
  if (req.method === 'DELETE') {
    revokeAccessToken(state, accessToken);
    send(res, 204, baseHeaders());
    return;
  }
  if (!findLiveToken(state, accessToken, now)) {
    handleApiNotFound(res);
    return;
  }
  const user = state.users.get(record.login);
  sendJson(
    res,
    200,
    {
      id: record.createdAt,
      token: accessToken,
      hashed_token: createHash('sha256').update(accessToken).digest('hex'),
      token_last_eight: accessToken.slice(-8),
      app: { client_id: clientId, name: client.name, url: ctx.baseUrl },
      scopes: record.scopes,
      created_at: new Date(record.createdAt).toISOString(),
      updated_at: new Date(record.createdAt).toISOString(),
      expires_at: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
      note: null,
      note_url: null,
      fingerprint: null,
      user: user ? { login: user.login, id: user.id, node_id: user.node_id, type: user.type } : null,
    },
    baseHeaders(),
  );
}
