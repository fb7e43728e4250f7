import type { EncryptionContext, KeyRing } from '../crypto/types.js';

/** Where each secret lives; the binding is part of the ciphertext's authenticated data. */
export const SECRET_COLUMNS = {
  accessToken: { table: 'mcp_credentials', column: 'access_token' },
  refreshToken: { table: 'mcp_credentials', column: 'refresh_token' },
  codeVerifier: { table: 'mcp_oauth_states', column: 'code_verifier' },
  clientSecret: { table: 'mcp_service_table', column: 'client_secret' },
} as const;

/** Name of a secret column. */
export type SecretColumn = keyof typeof SECRET_COLUMNS;

/** Encryption context of a secret column for one instance. */
export function secretContext(column: SecretColumn, instanceId: string): EncryptionContext {
  return { ...SECRET_COLUMNS[column], instanceId };
}

/** Encrypts a secret bound to its column and instance. */
export function sealSecret(
  keyRing: KeyRing,
  column: SecretColumn,
  instanceId: string,
  value: string,
): Promise<string> {
  return keyRing.encrypt(value, secretContext(column, instanceId));
}

/** Decrypts a secret; fails when the ciphertext belongs to another column or instance. */
export function openSecret(
  keyRing: KeyRing,
  column: SecretColumn,
  instanceId: string,
  ciphertext: string,
): Promise<string> {
  return keyRing.decrypt(ciphertext, secretContext(column, instanceId));
}
