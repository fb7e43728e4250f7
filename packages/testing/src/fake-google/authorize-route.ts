import type { ServerResponse } from 'node:http';
import { type FakeRequest, send } from '../fake-github/http.js';
import type { GoogleRouteContext } from './context.js';
import { GOOGLE_ISSUER, normalizeGoogleScope } from './defaults.js';
import { GOOGLE_CODE_TTL_MS, googleLike, grantKey } from './state.js';

function errorPage(res: ServerResponse, status: number, error: string, detail: string): void {
  // Google shows an HTML error page (no redirect) for client and redirect_uri problems.
  send(
    res,
    status,
    { 'content-type': 'text/html; charset=utf-8' },
    `<h1>Error ${status}: ${error}</h1><p>${detail}</p>`,
  );
}

function redirect(res: ServerResponse, target: string, params: Record<string, string | null>): void {
  const location = new URL(target);
  for (const [key, value] of Object.entries(params))
    if (value !== null) location.searchParams.set(key, value);
  send(res, 302, { location: location.href });
}

/** `GET /o/oauth2/v2/auth`: auto-approves as the approving account, unless told to deny. */
export function handleGoogleAuthorize(ctx: GoogleRouteContext, req: FakeRequest, res: ServerResponse): void {
  const { state } = ctx;
  const params = req.url.searchParams;
  const client = state.clients.get(params.get('client_id') ?? '');
  if (!client) {
    errorPage(res, 401, 'invalid_client', 'The OAuth client was not found.');
    return;
  }
  const redirectUri = params.get('redirect_uri') ?? '';
  if (!redirectUri || (client.redirectUris.length > 0 && !client.redirectUris.includes(redirectUri))) {
    errorPage(res, 400, 'redirect_uri_mismatch', 'The redirect URI is not registered for this client.');
    return;
  }
  const stateParam = params.get('state');
  const fail = (error: string, description: string) =>
    redirect(res, redirectUri, {
      error,
      error_description: description,
      state: stateParam,
      iss: GOOGLE_ISSUER,
    });
  const forced = state.nextAuthorizeError;
  if (forced) {
    state.nextAuthorizeError = null;
    fail(forced.error, forced.description);
    return;
  }
  if (params.get('response_type') !== 'code') {
    fail('unsupported_response_type', 'Only response_type=code is supported.');
    return;
  }
  const requested = (params.get('scope') ?? '').split(' ').filter(Boolean).map(normalizeGoogleScope);
  if (requested.length === 0) {
    errorPage(res, 400, 'invalid_request', 'Missing required parameter: scope');
    return;
  }
  const challenge = params.get('code_challenge');
  const method = challenge ? (params.get('code_challenge_method') ?? 'plain') : null;
  if (method !== null && method !== 'S256' && method !== 'plain') {
    fail('invalid_request', 'Invalid code_challenge_method.');
    return;
  }
  const user = state.users.get(state.approvingSub);
  if (!user) throw new Error('fake Google: the approving account is not registered');
  const grant = grantKey(client.clientId, user.sub);
  const previous =
    params.get('include_granted_scopes') === 'true' ? (state.grantedScopes.get(grant) ?? []) : [];
  const scopes = [...new Set([...previous, ...requested])];
  state.grantedScopes.set(grant, scopes);
  const offline = params.get('access_type') === 'offline';
  const consent =
    (params.get('prompt') ?? '').split(' ').includes('consent') || !state.offlineConsents.has(grant);
  const code = googleLike('4/0A');
  state.codes.set(code, {
    code,
    clientId: client.clientId,
    redirectUri,
    sub: user.sub,
    scopes,
    codeChallenge: challenge,
    codeChallengeMethod: method as 'S256' | 'plain' | null,
    // Google issues a refresh token only for offline access, and again only when consent is shown again.
    issueRefreshToken: offline && consent,
    expiresAt: ctx.now() + GOOGLE_CODE_TTL_MS,
    used: false,
  });
  redirect(res, redirectUri, {
    state: stateParam,
    iss: GOOGLE_ISSUER,
    code,
    scope: scopes.join(' '),
    authuser: '0',
    prompt: consent ? 'consent' : 'none',
  });
}
