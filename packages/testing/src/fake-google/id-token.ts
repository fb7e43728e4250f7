import { createSign, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { GOOGLE_ISSUER } from './defaults.js';
import type { FakeGoogleUser } from './types.js';

/** The fake's RS256 signing key and its public JWK (served at `/oauth2/v3/certs`). */
export interface FakeGoogleSigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

/** Generates a fresh 2048-bit RSA signing key. */
export async function createSigningKey(): Promise<FakeGoogleSigningKey> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const kid = `fake-${Date.now().toString(36)}`;
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a Google-shaped ID token for `user`; lifetime one hour from `nowMs` (the fake's clock). */
export function signIdToken(
  key: FakeGoogleSigningKey,
  input: { user: FakeGoogleUser; clientId: string; scopes: readonly string[]; nowMs: number },
): string {
  const iat = Math.floor(input.nowMs / 1000);
  const hasEmail = input.scopes.includes('https://www.googleapis.com/auth/userinfo.email');
  const hasProfile = input.scopes.includes('https://www.googleapis.com/auth/userinfo.profile');
  const claims = {
    iss: GOOGLE_ISSUER,
    azp: input.clientId,
    aud: input.clientId,
    sub: input.user.sub,
    ...(hasEmail ? { email: input.user.email, email_verified: input.user.emailVerified } : {}),
    ...(hasProfile ? { name: input.user.name, picture: input.user.picture } : {}),
    iat,
    exp: iat + 3600,
  };
  const signingInput = `${b64({ alg: 'RS256', kid: key.kid, typ: 'JWT' })}.${b64(claims)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}
