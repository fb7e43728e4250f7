import { sha256Hex } from '../crypto/hash.js';
import { readBearer, timingSafeEqualStrings } from './bearer.js';
import { HttpError } from './http-error.js';

const REALM = 'Bearer realm="mcp-oauth-admin"';

/** Checks the admin bearer token of a request. */
export interface AdminAuth {
  /**
   * Resolves when the request carries the admin token.
   *
   * Missing and wrong tokens both answer 401 (with `WWW-Authenticate`), never 403: the admin API has a single
   * principal, so "authenticated but not allowed" cannot happen and 403 would only tell a prober that it sent
   * something token-shaped.
   *
   * @throws HttpError `UNAUTHORIZED` (401).
   */
  authorize(request: Request): Promise<void>;
}

/**
 * Creates the admin token check. Tokens are compared in constant time over their SHA-256 digests, so neither
 * the content nor the length of the expected token leaks through timing.
 */
export function createAdminAuth(adminToken: string): AdminAuth {
  const expected = sha256Hex(adminToken);
  return {
    async authorize(request) {
      const presented = readBearer(request);
      if (presented === null) {
        throw new HttpError(401, 'UNAUTHORIZED', 'An admin bearer token is required.', {
          'www-authenticate': REALM,
        });
      }
      const [actual, wanted] = await Promise.all([sha256Hex(presented), expected]);
      if (!timingSafeEqualStrings(actual, wanted)) {
        throw new HttpError(401, 'UNAUTHORIZED', 'The admin bearer token is not valid.', {
          'www-authenticate': `${REALM}, error="invalid_token"`,
        });
      }
    },
  };
}
