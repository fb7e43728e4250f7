/** Longest bearer credential we are willing to hash; anything longer is rejected unread. */
export const MAX_BEARER_LENGTH = 4096;

/**
 * Extracts the credential of an `Authorization: Bearer <token>` header (RFC 6750 token68 syntax).
 * Returns `null` when the header is absent, uses another scheme, or is malformed.
 */
export function readBearer(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (header === null) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  const token = match?.[1];
  if (token === undefined || token.length > MAX_BEARER_LENGTH) return null;
  return token;
}

/** Compares two strings in time that depends only on their lengths (use on equal-length digests). */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
