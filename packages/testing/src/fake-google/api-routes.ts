import type { ServerResponse } from 'node:http';
import { type FakeRequest, parseFields, parseTokenAuth, sendJson } from '../fake-github/http.js';
import type { GoogleRouteContext } from './context.js';
import { findLiveGoogleToken } from './state.js';

const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const PROFILE = 'https://www.googleapis.com/auth/userinfo.profile';

/** `GET /oauth2/v3/userinfo` with a Bearer token: the OpenID claims its scopes allow; 401 otherwise. */
export function handleGoogleUserinfo(ctx: GoogleRouteContext, req: FakeRequest, res: ServerResponse): void {
  const token = findLiveGoogleToken(ctx.state, parseTokenAuth(req.headers) ?? '', 'access', ctx.now());
  const user = token ? ctx.state.users.get(token.sub) : undefined;
  if (!token || !user) {
    sendJson(
      res,
      401,
      { error: 'invalid_request', error_description: 'Invalid Credentials' },
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    );
    return;
  }
  sendJson(res, 200, {
    sub: user.sub,
    ...(token.scopes.includes(PROFILE)
      ? { name: user.name, given_name: user.givenName, family_name: user.familyName, picture: user.picture }
      : {}),
    ...(token.scopes.includes(EMAIL) ? { email: user.email, email_verified: user.emailVerified } : {}),
  });
}

/**
 * `GET|POST /oauth2/v3/tokeninfo` (`access_token` in the query or form body): scope, expiry and e-mail of a token.
 * Like Google it answers HTTP 400 `invalid_token` "Invalid Value" for unknown, expired or revoked tokens.
 */
export function handleGoogleTokeninfo(ctx: GoogleRouteContext, req: FakeRequest, res: ServerResponse): void {
  const raw = parseFields(req).access_token ?? req.url.searchParams.get('access_token') ?? '';
  const now = ctx.now();
  const token = findLiveGoogleToken(ctx.state, raw, 'access', now);
  const user = token ? ctx.state.users.get(token.sub) : undefined;
  if (!token || !user || token.expiresAt === null) {
    sendJson(res, 400, { error: 'invalid_token', error_description: 'Invalid Value' });
    return;
  }
  // Google reports numbers and booleans of tokeninfo as strings.
  sendJson(res, 200, {
    azp: token.clientId,
    aud: token.clientId,
    sub: user.sub,
    scope: token.scopes.join(' '),
    exp: String(Math.floor(token.expiresAt / 1000)),
    expires_in: String(Math.max(0, Math.floor((token.expiresAt - now) / 1000))),
    ...(token.scopes.includes(EMAIL)
      ? { email: user.email, email_verified: String(user.emailVerified) }
      : {}),
    access_type: token.offline ? 'offline' : 'online',
  });
}

/** `GET /oauth2/v3/certs`: the JWKS the ID tokens are signed with. */
export function handleGoogleCerts(ctx: GoogleRouteContext, res: ServerResponse): void {
  sendJson(res, 200, { keys: [ctx.signingKey.jwk] });
}
