/**
 * SHA-256 of a UTF-8 string as 64 lowercase hex characters (WebCrypto). Used to store values we issue
 * ourselves (API keys, OAuth state) as hashes only.
 *
 * @example
 * ```ts
 * const keyHash = await sha256Hex(apiKey);
 * ```
 */
export async function sha256Hex(value: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
