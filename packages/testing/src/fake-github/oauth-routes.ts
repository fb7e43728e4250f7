import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { applyFault, takeFault } from './faults.js';
import { type FakeRequest, parseBasicAuth, parseFields, send, sendJson } from './http.js';
import { CODE_TTL_MS, issueTokens } from './state.js';
import type { FakeGitHubState } from './types.js';

/** What the route handlers need from the server. */
export interface RouteContext {
  state: FakeGitHubState;
  now: () => number;
  baseUrl: string;
}

const TROUBLESHOOTING =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

function redirectWith(res: ServerResponse, target: string, params: Record<string, string | null>): void {
  const location = new URL(target);
  for (const [key, value] of Object.entries(params)) {
    if (value !== null) location.searchParams.set(key, value);
  }
  send(res, 302, { location: location.href });
}

/** Splits GitHub scope lists, which may use commas or spaces. */
export function splitScopes(value: string | null | undefined): string[] {
  if (!value) return [];
  return [...new Set(value.split(/[\s,]+/).filter(Boolean))];
}

/** `GET /login/oauth/authorize`: auto-approves as the approving user, unless told to fail. */
export function handleAuthorize(ctx: RouteContext, req: FakeRequest, res: ServerResponse): void {
  const { state } = ctx;
  const params = req.url.searchParams;
  const client = state.clients.get(params.get('client_id') ?? '');
  if (!client) {
    send(res, 404, { 'content-type': 'text/html; charset=utf-8' }, '<h1>404: application not found</h1>');
    return;
  }
  const stateParam = params.get('state');
  const redirectUri = params.get('redirect_uri') ?? client.redirectUris[0];
  if (!redirectUri) {
    send(res, 400, { 'content-type': 'text/plain' }, 'redirect_uri is required');
    return;
  }
  const registered = client.redirectUris[0];
  if (registered && !client.redirectUris.includes(redirectUri)) {
    // GitHub sends the error to the registered callback, never to the unverified redirect_uri.
    redirectWith(res, registered, {
      error: 'redirect_uri_mismatch',
      error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
      error_uri: `${TROUBLESHOOTING}/#redirect-uri-mismatch`,
      state: stateParam,
    });
    return;
  }
  const forced = state.nextAuthorizeError;
  if (forced) {
    state.nextAuthorizeError = null;
    redirectWith(res, redirectUri, {
      error: forced.error,
      error_description: forced.description,
      error_uri: `${TROUBLESHOOTING}/#${forced.error.replace(/_/g, '-')}`,
      state: stateParam,
    });
    return;
  }
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method') ?? (challenge ? 'plain' : null);
  if (challenge && method !== 'S256') {
    redirectWith(res, redirectUri, {
      error: 'invalid_request',
      error_description: 'code_challenge_method must be S256',
      state: stateParam,
    });
    return;
  }
  const user = state.users.get(state.approvingLogin);
  if (!user) throw new Error(`fake GitHub: approving user ${state.approvingLogin} is not registered`);
  const requested = splitScopes(params.get('scope'));
  const code = randomBytes(10).toString('hex');
  state.codes.set(code, {
    code,
    clientId: client.clientId,
    redirectUri,
    login: user.login,
    scopes: state.grantedScopesOverride ?? requested,
    codeChallenge: challenge,
    codeChallengeMethod: challenge ? method : null,
    expiresAt: ctx.now() + CODE_TTL_MS,
    used: false,
  });
  redirectWith(res, redirectUri, { code, state: stateParam });
}

function replyToken(req: FakeRequest, res: ServerResponse, fields: Record<string, string | number>): void {
  // GitHub answers form-encoded unless the client asks for JSON, and always with HTTP 200, even for errors.
  if ((req.headers.accept ?? '').includes('application/json')) {
    sendJson(res, 200, fields);
    return;
  }
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) form.set(key, String(value));
  send(res, 200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, form.toString());
}

function replyError(req: FakeRequest, res: ServerResponse, error: string, description: string): void {
  replyToken(req, res, {
    error,
    error_description: description,
    error_uri: `${TROUBLESHOOTING}/#${error.replace(/_/g, '-')}`,
  });
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** `POST /login/oauth/access_token`: authorization_code and refresh_token grants with GitHub's quirks. */
export function handleToken(
  ctx: RouteContext,
  req: FakeRequest,
  res: ServerResponse,
): Promise<void> | undefined {
  const { state } = ctx;
  const fields = parseFields(req);
  const grantType = fields.grant_type ?? 'authorization_code';
  if (grantType === 'refresh_token') state.refreshCalls += 1;
  const fault = takeFault(state, 'token');
  if (fault) return applyFault(res, fault, ctx.now());

  const basic = parseBasicAuth(req.headers);
  const clientId = fields.client_id ?? basic?.id ?? '';
  const clientSecret = fields.client_secret ?? basic?.secret ?? '';
  const client = state.clients.get(clientId);
  if (!client || client.clientSecret !== clientSecret) {
    replyError(
      req,
      res,
      'incorrect_client_credentials',
      'The client_id and/or client_secret passed are incorrect.',
    );
    return undefined;
  }
  const now = ctx.now();

  if (grantType === 'authorization_code') {
    const record = state.codes.get(fields.code ?? '');
    if (!record || record.used || record.expiresAt <= now || record.clientId !== client.clientId) {
      replyError(req, res, 'bad_verification_code', 'The code passed is incorrect or expired.');
      return undefined;
    }
    if (fields.redirect_uri !== undefined && fields.redirect_uri !== record.redirectUri) {
      replyError(
        req,
        res,
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
      return undefined;
    }
    if (record.codeChallenge !== null) {
      const verifier = fields.code_verifier;
      if (!verifier || s256(verifier) !== record.codeChallenge) {
        replyError(req, res, 'bad_verification_code', 'The code_verifier does not match the code_challenge.');
        return undefined;
      }
    }
    record.used = true;
    replyToken(req, res, {
      ...issueTokens(state, { clientId: client.clientId, login: record.login, scopes: record.scopes }, now),
    });
    return undefined;
  }

  if (grantType === 'refresh_token') {
    const record = state.refreshTokens.get(fields.refresh_token ?? '');
    if (
      !record ||
      record.used ||
      record.revoked ||
      record.expiresAt <= now ||
      record.clientId !== client.clientId
    ) {
      replyError(req, res, 'bad_refresh_token', 'The refresh token passed is incorrect or expired.');
      return undefined;
    }
    // GitHub App refresh tokens are single use: the old one dies as soon as it is redeemed.
    record.used = true;
    replyToken(req, res, {
      ...issueTokens(state, { clientId: client.clientId, login: record.login, scopes: record.scopes }, now),
    });
    return undefined;
  }

  replyError(req, res, 'unsupported_grant_type', 'The grant type is not supported.');
  return undefined;
}
