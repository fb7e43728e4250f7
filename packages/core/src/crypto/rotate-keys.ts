import { ConfigError, CryptoError, isMcpOAuthError } from '../errors/index.js';
import type { CredentialRecord, InstanceRecord, Store } from '../store/ports.js';
import type { KeyRing } from './types.js';

/** Options of {@link rotateKeys}. */
export interface RotateKeysOptions {
  store: Store;
  /** The ring whose first key (`activeKeyId`) becomes the key of every row. Old keys must still be in it. */
  keyRing: KeyRing;
  /**
   * Rows read per round trip.
   * @default 100
   */
  batchSize?: number;
  /**
   * How often one credential is re-read and retried after a concurrent save (`STORE_CONFLICT`).
   * @default 5
   */
  maxConflictRetries?: number;
}

/** Result of {@link rotateKeys}. */
export interface RotateKeysResult {
  /** Ciphertext rows re-encrypted under the active key (credentials + instance client secrets). */
  rotated: number;
  /** `mcp_credentials` rows re-encrypted. */
  credentials: number;
  /** Instance client secrets (`mcp_service_table.config.clientSecretCiphertext`) re-encrypted. */
  clientSecrets: number;
}

const CREDENTIALS = 'mcp_credentials';
const INSTANCES = 'mcp_service_table';

async function reencrypt(
  keyRing: KeyRing,
  ciphertext: string,
  table: string,
  column: string,
  instanceId: string,
): Promise<string> {
  const context = { table, column, instanceId };
  return keyRing.encrypt(await keyRing.decrypt(ciphertext, context), context);
}

async function rotateCredential(
  options: Required<Pick<RotateKeysOptions, 'store' | 'keyRing' | 'maxConflictRetries'>>,
  first: CredentialRecord,
): Promise<boolean> {
  const { store, keyRing } = options;
  let current: CredentialRecord | null = first;
  for (let attempt = 0; current !== null && current.keyId !== keyRing.activeKeyId; attempt++) {
    const { instanceId } = current;
    const accessTokenCiphertext = await reencrypt(
      keyRing,
      current.accessTokenCiphertext,
      CREDENTIALS,
      'access_token',
      instanceId,
    );
    const refreshTokenCiphertext =
      current.refreshTokenCiphertext === null
        ? null
        : await reencrypt(keyRing, current.refreshTokenCiphertext, CREDENTIALS, 'refresh_token', instanceId);
    const { version, updatedAt: _updatedAt, ...write } = current;
    try {
      await store.credentials.saveCredential(
        { ...write, accessTokenCiphertext, refreshTokenCiphertext, keyId: keyRing.activeKeyId },
        version,
      );
      return true;
    } catch (error) {
      if (!isMcpOAuthError(error, 'STORE_CONFLICT') || attempt >= options.maxConflictRetries) throw error;
      // A refresh saved new tokens meanwhile: re-read, they may already be under the active key.
      current = await store.credentials.getCredential(instanceId);
    }
  }
  return false;
}

async function rotateClientSecret(
  store: Store,
  keyRing: KeyRing,
  instance: InstanceRecord,
): Promise<boolean> {
  return store.transaction(async (tx) => {
    const fresh = await tx.instances.getInstance(instance.instanceId);
    const ciphertext = fresh?.config.clientSecretCiphertext ?? null;
    if (fresh === null || ciphertext === null || keyRing.keyIdOf(ciphertext) === keyRing.activeKeyId)
      return false;
    const clientSecretCiphertext = await reencrypt(
      keyRing,
      ciphertext,
      INSTANCES,
      'client_secret',
      fresh.instanceId,
    );
    await tx.instances.updateInstance(fresh.instanceId, {
      config: { ...fresh.config, clientSecretCiphertext },
    });
    return true;
  });
}

/**
 * Re-encrypts every stored secret that is not under the key ring's active key:
 *
 * - `mcp_credentials` access and refresh tokens (AAD `mcp_credentials` / `access_token` | `refresh_token`),
 *   saved with an optimistic version check; a concurrent refresh (`STORE_CONFLICT`) is handled by re-reading.
 * - per-instance OAuth client secrets in `mcp_service_table.config` (AAD `mcp_service_table` /
 *   `client_secret`), found by paging through all instances with the keyset cursor (never all in memory).
 *
 * Pending `mcp_oauth_states` PKCE verifiers are left as they are: they expire ten minutes after they were
 * written, so keep the old key in the ring for at least that long after rotating, then drop it.
 *
 * Safe to run again: rows already under the active key are skipped.
 *
 * @throws CryptoError when a row cannot be decrypted with any key of the ring (the old key was dropped too
 *   early, or the row was tampered with); the message names the instance, never the secret.
 * @throws StoreError from the store, or `STORE_CONFLICT` after `maxConflictRetries` concurrent saves.
 * @example
 * ```ts
 * const { rotated } = await rotateKeys({ store, keyRing: createKeyRing(parseKeyRingSpec('k2:…,k1:…')) });
 * ```
 */
export async function rotateKeys(options: RotateKeysOptions): Promise<RotateKeysResult> {
  const { store, keyRing, batchSize = 100, maxConflictRetries = 5 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 500) {
    throw new ConfigError('batchSize', 'must be an integer between 1 and 500');
  }
  if (!Number.isInteger(maxConflictRetries) || maxConflictRetries < 0) {
    throw new ConfigError('maxConflictRetries', 'must be a non-negative integer');
  }
  let credentials = 0;
  const attempted = new Set<string>();
  for (;;) {
    const batch = await store.credentials.listCredentialsNotUnderKey(keyRing.activeKeyId, batchSize);
    const pending = batch.filter((record) => !attempted.has(record.instanceId));
    if (pending.length === 0) {
      if (batch.length > 0) {
        // Rows we already rotated went back to an old key: another writer still encrypts with an old ring.
        throw new CryptoError(
          'CRYPTO_KEY_UNKNOWN',
          `Credentials were re-written under an old key during rotation; update every replica's key ring to make "${keyRing.activeKeyId}" active first`,
        );
      }
      break;
    }
    for (const record of pending) {
      attempted.add(record.instanceId);
      try {
        if (await rotateCredential({ store, keyRing, maxConflictRetries }, record)) credentials++;
      } catch (error) {
        throw withInstance(error, record.instanceId);
      }
    }
  }

  let clientSecrets = 0;
  let cursor: string | null = null;
  do {
    const page = await store.instances.listInstances({ limit: batchSize, cursor });
    for (const instance of page.items) {
      const ciphertext = instance.config.clientSecretCiphertext;
      if (ciphertext === null || ciphertext === undefined) continue;
      try {
        if (keyRing.keyIdOf(ciphertext) === keyRing.activeKeyId) continue;
        if (await rotateClientSecret(store, keyRing, instance)) clientSecrets++;
      } catch (error) {
        throw withInstance(error, instance.instanceId);
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== null);

  return { rotated: credentials + clientSecrets, credentials, clientSecrets };
}

function withInstance(error: unknown, instanceId: string): unknown {
  if (error instanceof CryptoError) {
    return new CryptoError(error.code, `${error.message} (instance ${instanceId})`, { cause: error });
  }
  return error;
}
