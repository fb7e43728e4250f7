import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type FakeRequest, parseBasicAuth, parseFields, sendJson } from '../fake-github/http.js';
import type { GoogleRouteContext } from './context.js';
import { GOOGLE_ACCESS_TOKEN_SECONDS } from './defaults.js';
import { signIdToken } from './id-token.js';
import { findLiveGoogleToken, grantKey, issueGoogleTokens, revokeGoogleGrant } from './state.js';
import type { FakeGoogleClient, FakeGoogleToken } from './types.js';

function tokenError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description }, { 'cache-control': 'no-store' });
}

function authenticate(
  ctx: GoogleRouteContext,
  req: FakeRequest,
  fields: Record<string, string>,
): FakeGoogleClient | null {
  const basic = parseBasicAuth(req.headers);
  const client = ctx.state.clients.get(fields.client_id ?? basic?.id ?? '');
  const secret = fields.client_secret ?? basic?.secret;
  return client && client.clientSecret === secret ? client : null;
}

function tokenResponse(
  ctx: GoogleRouteContext,
  res: ServerResponse,
  access: FakeGoogleToken,
  refresh: FakeGoogleToken | null,
): void {
  const user = ctx.state.users.get(access.sub);
  const idToken =
    ctx.idTokens && user && access.scopes.includes('openid')
      ? signIdToken(ctx.signingKey, {
          user,
          clientId: access.clientId,
          scopes: access.scopes,
          nowMs: ctx.now(),
        })
      : undefined;
  sendJson(
    res,
    200,
    {
      access_token: access.token,
      expires_in: GOOGLE_ACCESS_TOKEN_SECONDS,
      ...(refresh ? { refresh_token: refresh.token } : {}),
      scope: access.scopes.join(' '),
      token_type: 'Bearer',
      ...(idToken ? { id_token: idToken } : {}),
    },
    { 'cache-control': 'no-store' },
  );
}

function verifierMatches(method: 'S256' | 'plain' | null, challenge: string, verifier: string): boolean {
  if (method === 'plain') return verifier === challenge;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

function exchangeCode(
  ctx: GoogleRouteContext,
  res: ServerResponse,
  client: FakeGoogleClient,
  f: Record<string, string>,
) {
  const record = ctx.state.codes.get(f.code ?? '');
  const now = ctx.now();
  if (!f.code) {
    tokenError(res, 400, 'invalid_request', 'Missing required parameter: code');
    return;
  }
  if (!record || record.used || record.expiresAt <= now || record.clientId !== client.clientId) {
    tokenError(res, 400, 'invalid_grant', 'Malformed auth code.');
    return;
  }
  if (f.redirect_uri !== record.redirectUri) {
    tokenError(res, 400, 'redirect_uri_mismatch', 'Bad Request');
    return;
  }
  if (record.codeChallenge !== null) {
    if (!f.code_verifier) {
      tokenError(res, 400, 'invalid_grant', 'Missing code verifier.');
      return;
    }
    if (!verifierMatches(record.codeChallengeMethod, record.codeChallenge, f.code_verifier)) {
      tokenError(res, 400, 'invalid_grant', 'Invalid code verifier.');
      return;
    }
  }
  record.used = true;
  const grant = grantKey(record.clientId, record.sub);
  if (record.issueRefreshToken) ctx.state.offlineConsents.add(grant);
  const { access, refresh } = issueGoogleTokens(
    ctx.state,
    {
      clientId: record.clientId,
      sub: record.sub,
      scopes: record.scopes,
      offline: record.issueRefreshToken || ctx.state.offlineConsents.has(grant),
      withRefreshToken: record.issueRefreshToken,
    },
    now,
  );
  tokenResponse(ctx, res, access, refresh);
}

/** `POST /token`: authorization_code and refresh_token grants, Google style (non-rotating refresh). */
export function handleGoogleToken(ctx: GoogleRouteContext, req: FakeRequest, res: ServerResponse): void {
  const { state } = ctx;
  const fields = parseFields(req);
  if (fields.grant_type === 'refresh_token') state.refreshCalls += 1;
  const fault = state.faults.shift();
  if (fault?.kind === 'status') {
    tokenError(res, fault.status, 'internal_failure', 'Backend Error');
    return;
  }
  if (fault?.kind === 'rate_limit') {
    res.setHeader('retry-after', String(fault.retryAfterSeconds));
    tokenError(res, 429, 'rate_limit_exceeded', 'Rate Limit Exceeded');
    return;
  }
  const client = authenticate(ctx, req, fields);
  if (!client) {
    tokenError(res, 401, 'invalid_client', 'Unauthorized');
    return;
  }
  if (fields.grant_type === 'authorization_code') {
    exchangeCode(ctx, res, client, fields);
    return;
  }
  if (fields.grant_type !== 'refresh_token') {
    tokenError(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${fields.grant_type ?? ''}`);
    return;
  }
  const refresh = findLiveGoogleToken(state, fields.refresh_token ?? '', 'refresh', ctx.now());
  if (!refresh || refresh.clientId !== client.clientId) {
    tokenError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
    return;
  }
  // Non-rotating: no refresh_token in the answer, and the presented one stays valid.
  const { access } = issueGoogleTokens(
    state,
    {
      clientId: refresh.clientId,
      sub: refresh.sub,
      scopes: refresh.scopes,
      offline: true,
      withRefreshToken: false,
    },
    ctx.now(),
  );
  tokenResponse(ctx, res, access, null);
}

/** `POST /revoke` (RFC 7009, token in the form body or query): ends the whole grant. */
export function handleGoogleRevoke(ctx: GoogleRouteContext, req: FakeRequest, res: ServerResponse): void {
  const token = parseFields(req).token ?? req.url.searchParams.get('token') ?? '';
  if (!token) {
    tokenError(res, 400, 'invalid_request', 'Missing required parameter: token');
    return;
  }
  // Unlike RFC 7009 §2.2, Google answers 400 invalid_token for an unknown or already revoked token.
  if (!revokeGoogleGrant(ctx.state, token)) {
    tokenError(res, 400, 'invalid_token', 'Token expired or revoked');
    return;
  }
  sendJson(res, 200, {});
}
