import { CryptoError } from '../errors/index.js';
import { decodeBase64Url, encodeBase64Url } from './base64.js';

/** Format tag of ciphertexts written by this version. */
export const CIPHERTEXT_VERSION = 'v1';
/** AES-GCM IV length in bytes. */
export const IV_BYTES = 12;
/** AES-GCM authentication tag length in bytes. */
export const TAG_BYTES = 16;
/** Allowed key ids: 1..32 of `A-Z a-z 0-9 _ -` (never contains the `.` separator). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** The parts of a `v1.<kid>.<iv>.<ct+tag>` ciphertext string. */
export interface CiphertextParts {
  keyId: string;
  iv: Uint8Array<ArrayBuffer>;
  /** Ciphertext followed by the 16-byte GCM tag. */
  sealed: Uint8Array<ArrayBuffer>;
}

/** Serialises the parts as `v1.<kid>.<base64url iv>.<base64url ciphertext+tag>`. */
export function formatCiphertext(parts: CiphertextParts): string {
  return `${CIPHERTEXT_VERSION}.${parts.keyId}.${encodeBase64Url(parts.iv)}.${encodeBase64Url(parts.sealed)}`;
}

/**
 * Parses a ciphertext string.
 * @throws CryptoError `CRYPTO_CIPHERTEXT_INVALID` when the text is not a well-formed v1 ciphertext.
 */
export function parseCiphertext(ciphertext: string): CiphertextParts {
  const fields = typeof ciphertext === 'string' ? ciphertext.split('.') : [];
  const [version, keyId, ivText, sealedText] = fields;
  if (fields.length !== 4 || version !== CIPHERTEXT_VERSION) {
    throw new CryptoError('CRYPTO_CIPHERTEXT_INVALID', 'Ciphertext is not in the v1 format');
  }
  if (keyId === undefined || !KEY_ID_PATTERN.test(keyId)) {
    throw new CryptoError('CRYPTO_CIPHERTEXT_INVALID', 'Ciphertext has an invalid key id');
  }
  const iv = decodeBase64Url(ivText ?? '');
  const sealed = decodeBase64Url(sealedText ?? '');
  if (iv === null || iv.length !== IV_BYTES || sealed === null || sealed.length < TAG_BYTES) {
    throw new CryptoError('CRYPTO_CIPHERTEXT_INVALID', 'Ciphertext has an invalid IV or body');
  }
  return { keyId, iv, sealed };
}
