/** What a ciphertext is bound to (part of the AES-GCM additional authenticated data). */
export interface EncryptionContext {
  /** Table that holds the value, e.g. `mcp_credentials`. */
  table: string;
  /** Column that holds the value, e.g. `access_token`. */
  column: string;
  /** Instance the value belongs to. A ciphertext copied to another instance fails to decrypt. */
  instanceId: string;
}

/**
 * AES-256-GCM key ring. The first key encrypts; every key decrypts. Ciphertexts name their key id,
 * so rotation is: put the new key first, run `rotate-keys`, then drop the old key.
 */
export interface KeyRing {
  /** Id of the key that encrypts. */
  readonly activeKeyId: string;
  /** Ids of every key, active first. */
  readonly keyIds: readonly string[];
  /** Encrypts with the active key and a fresh random 12-byte IV. */
  encrypt(plaintext: string, context: EncryptionContext): Promise<string>;
  /**
   * @throws CryptoError `CRYPTO_CIPHERTEXT_INVALID` (malformed), `CRYPTO_KEY_UNKNOWN` (key id not in the ring),
   *   `CRYPTO_DECRYPT_FAILED` (tampered, or bound to another table/column/instance).
   */
  decrypt(ciphertext: string, context: EncryptionContext): Promise<string>;
  /** The key id a ciphertext was made with. @throws CryptoError `CRYPTO_CIPHERTEXT_INVALID`. */
  keyIdOf(ciphertext: string): string;
}
