import { CryptoError } from '../errors/index.js';
import { decodeBase64Lenient, encodeBase64 } from './base64.js';
import { formatCiphertext, IV_BYTES, KEY_ID_PATTERN, parseCiphertext } from './ciphertext-format.js';
import type { EncryptionContext, KeyRing } from './types.js';

/** One entry of a key ring: an id and a base64-encoded 32-byte AES-256 key. */
export interface KeyRingKey {
  /** Key id, 1..32 of `A-Z a-z 0-9 _ -`. Written into every ciphertext. */
  id: string;
  /** Standard base64 (or base64url) of exactly 32 random bytes. */
  key: string;
}

const KEY_BYTES = 32;
const AAD_LABEL = 'mcp-oauth/aes-256-gcm/v1';

/**
 * Validates one key entry and returns its raw bytes. Errors name the key id (when it is valid) or the
 * position, never the key material.
 */
function decodeKeyEntry(entry: KeyRingKey, position: number): Uint8Array<ArrayBuffer> {
  if (typeof entry?.id !== 'string' || !KEY_ID_PATTERN.test(entry.id)) {
    throw new CryptoError(
      'CRYPTO_KEY_INVALID',
      `Key #${position + 1} has an invalid id (expected 1-32 characters of A-Z a-z 0-9 _ -)`,
    );
  }
  const raw = typeof entry.key === 'string' ? decodeBase64Lenient(entry.key.trim()) : null;
  if (raw === null || raw.length !== KEY_BYTES) {
    throw new CryptoError(
      'CRYPTO_KEY_INVALID',
      `Key "${entry.id}" must be base64 of exactly ${KEY_BYTES} bytes`,
    );
  }
  return raw;
}

/** Additional authenticated data: a JSON array, so no field boundary is ambiguous. */
function additionalData(context: EncryptionContext, keyId: string): Uint8Array<ArrayBuffer> {
  if (
    typeof context?.table !== 'string' ||
    typeof context.column !== 'string' ||
    typeof context.instanceId !== 'string'
  ) {
    throw new CryptoError('CRYPTO_DECRYPT_FAILED', 'Encryption context needs table, column and instanceId');
  }
  return new TextEncoder().encode(
    JSON.stringify([AAD_LABEL, context.table, context.column, context.instanceId, keyId]),
  );
}

/**
 * Creates an AES-256-GCM {@link KeyRing}. The first key encrypts; every key decrypts. Each key is imported
 * into WebCrypto once, on first use, as a non-extractable `CryptoKey`.
 *
 * Ciphertexts look like `v1.<kid>.<base64url iv>.<base64url ciphertext+tag>` and are bound (AAD) to
 * table, column, instance id and key id.
 *
 * @throws CryptoError `CRYPTO_KEY_INVALID` for an empty ring, an invalid or duplicate key id, or a key that
 *   is not base64 of 32 bytes. The message names the key id, never the key.
 * @example
 * ```ts
 * const keyRing = createKeyRing(parseKeyRingSpec(env.ENCRYPTION_KEYS));
 * const ct = await keyRing.encrypt(token, { table: 'mcp_credentials', column: 'access_token', instanceId });
 * ```
 */
export function createKeyRing(keys: readonly KeyRingKey[]): KeyRing {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new CryptoError('CRYPTO_KEY_INVALID', 'A key ring needs at least one key');
  }
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new CryptoError('CRYPTO_KEY_INVALID', 'WebCrypto (globalThis.crypto.subtle) is not available');
  }
  const rawKeys = new Map<string, Uint8Array<ArrayBuffer>>();
  keys.forEach((entry, position) => {
    const raw = decodeKeyEntry(entry, position);
    if (rawKeys.has(entry.id)) {
      throw new CryptoError('CRYPTO_KEY_INVALID', `Key id "${entry.id}" appears more than once`);
    }
    rawKeys.set(entry.id, raw);
  });
  const keyIds = Object.freeze([...rawKeys.keys()]);
  const activeKeyId = keyIds[0]!;
  const imported = new Map<string, Promise<CryptoKey>>();

  function cryptoKey(keyId: string): Promise<CryptoKey> {
    let pending = imported.get(keyId);
    if (pending === undefined) {
      const raw = rawKeys.get(keyId);
      if (raw === undefined) {
        throw new CryptoError('CRYPTO_KEY_UNKNOWN', `Key id "${keyId}" is not in the key ring`);
      }
      pending = subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
      imported.set(keyId, pending);
      // Drop the raw bytes once WebCrypto holds the key; retry the import later if it failed.
      pending.then(
        () => raw.fill(0),
        () => imported.delete(keyId),
      );
    }
    return pending;
  }

  return {
    activeKeyId,
    keyIds,
    async encrypt(plaintext, context) {
      if (typeof plaintext !== 'string') {
        throw new CryptoError('CRYPTO_CIPHERTEXT_INVALID', 'Only strings can be encrypted');
      }
      const aad = additionalData(context, activeKeyId);
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 },
        await cryptoKey(activeKeyId),
        new TextEncoder().encode(plaintext),
      );
      return formatCiphertext({ keyId: activeKeyId, iv, sealed: new Uint8Array(sealed) });
    },
    async decrypt(ciphertext, context) {
      const { keyId, iv, sealed } = parseCiphertext(ciphertext);
      const key = await cryptoKey(keyId);
      const aad = additionalData(context, keyId);
      let plain: ArrayBuffer;
      try {
        plain = await subtle.decrypt(
          { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 },
          key,
          sealed,
        );
      } catch (cause) {
        throw new CryptoError(
          'CRYPTO_DECRYPT_FAILED',
          `Decryption failed for ${context.table}.${context.column}: tampered or bound to another record`,
          { cause },
        );
      }
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(plain);
      } catch (cause) {
        throw new CryptoError('CRYPTO_DECRYPT_FAILED', 'Decrypted value is not UTF-8 text', { cause });
      }
    },
    keyIdOf(ciphertext) {
      return parseCiphertext(ciphertext).keyId;
    },
  };
}

/**
 * Parses the `ENCRYPTION_KEYS` format `kid:base64key,kid2:base64key` (first key encrypts). Whitespace around
 * entries is ignored. Every entry is validated like {@link createKeyRing} does.
 *
 * @throws CryptoError `CRYPTO_KEY_INVALID` naming the entry position or key id, never key material.
 * @example
 * ```ts
 * const keyRing = createKeyRing(parseKeyRingSpec('k2:…,k1:…'));
 * ```
 */
export function parseKeyRingSpec(spec: string): KeyRingKey[] {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new CryptoError('CRYPTO_KEY_INVALID', 'The key ring spec is empty (expected "kid:base64key,…")');
  }
  const seen = new Set<string>();
  return spec.split(',').map((rawEntry, position) => {
    const entry = rawEntry.trim();
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      throw new CryptoError('CRYPTO_KEY_INVALID', `Key #${position + 1} is not in the form "kid:base64key"`);
    }
    const parsed: KeyRingKey = { id: entry.slice(0, colon).trim(), key: entry.slice(colon + 1).trim() };
    decodeKeyEntry(parsed, position).fill(0);
    if (seen.has(parsed.id)) {
      throw new CryptoError('CRYPTO_KEY_INVALID', `Key id "${parsed.id}" appears more than once`);
    }
    seen.add(parsed.id);
    return parsed;
  });
}

/**
 * A new random AES-256 key: 32 bytes from the platform CSPRNG, standard base64 (44 characters).
 *
 * @example
 * ```ts
 * const spec = `k${Date.now()}:${generateKey()}`;
 * ```
 */
export function generateKey(): string {
  return encodeBase64(globalThis.crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
}
