import { ConfigError } from '../errors/index.js';
import { encodeBase64Url } from './base64.js';

/** Largest byte count {@link randomToken} accepts (the WebCrypto `getRandomValues` quota). */
export const MAX_RANDOM_TOKEN_BYTES = 65_536;

/**
 * `bytes` random bytes from the platform CSPRNG (`crypto.getRandomValues`), as unpadded base64url.
 * 32 bytes give a 43-character token with 256 bits of entropy.
 *
 * @throws ConfigError `CONFIG_INVALID_OPTION` when `bytes` is not an integer in 1..65536.
 * @example
 * ```ts
 * const state = randomToken(32);
 * ```
 */
export function randomToken(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_RANDOM_TOKEN_BYTES) {
    throw new ConfigError('bytes', `must be an integer between 1 and ${MAX_RANDOM_TOKEN_BYTES}`);
  }
  return encodeBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));
}
