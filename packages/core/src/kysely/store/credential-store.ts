import { StoreError } from '../../errors/index.js';
import type { CredentialStore, CredentialWrite } from '../../store/ports.js';
import type { StoreContext } from './context.js';
import { guard } from './driver-errors.js';
import { toCredentialRecord } from './rows.js';
import { assertLimit, assertUuid, isUuid } from './validate.js';

function columns(write: CredentialWrite, updatedAt: Date) {
  return {
    access_token_ciphertext: write.accessTokenCiphertext,
    refresh_token_ciphertext: write.refreshTokenCiphertext,
    key_id: write.keyId,
    token_type: write.tokenType,
    granted_scopes: [...write.grantedScopes],
    expires_at: write.expiresAt,
    refresh_expires_at: write.refreshExpiresAt,
    refresh_attempts: write.refreshAttempts,
    last_refresh_at: write.lastRefreshAt,
    last_refresh_error: write.lastRefreshError,
    updated_at: updatedAt,
  };
}

const conflict = () =>
  new StoreError('STORE_CONFLICT', 'The credential was changed by another writer (version mismatch)');

/** `mcp_credentials` over kysely, with an optimistic `version` check on every save. */
export function createCredentialStore({ db, now }: StoreContext): CredentialStore {
  return {
    getCredential: (instanceId) =>
      guard('credentials.get', async () => {
        if (!isUuid(instanceId)) return null;
        const row = await db
          .selectFrom('mcp_credentials')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return row === undefined ? null : toCredentialRecord(row);
      }),

    saveCredential: (write, expectedVersion) =>
      guard('credentials.save', async () => {
        assertUuid(write.instanceId, 'instanceId');
        if (expectedVersion !== null && (!Number.isInteger(expectedVersion) || expectedVersion < 1)) {
          throw new StoreError('STORE_INVALID_INPUT', 'expectedVersion must be null or a positive integer');
        }
        const values = columns(write, now());
        // Both statements decide atomically in the database: the insert loses to a concurrent insert
        // (ON CONFLICT DO NOTHING), the update matches only the expected version (row lock, then re-check).
        const row =
          expectedVersion === null
            ? await db
                .insertInto('mcp_credentials')
                .values({ instance_id: write.instanceId, version: 1, ...values })
                .onConflict((oc) => oc.column('instance_id').doNothing())
                .returningAll()
                .executeTakeFirst()
            : await db
                .updateTable('mcp_credentials')
                .set((eb) => ({ ...values, version: eb('version', '+', 1) }))
                .where('instance_id', '=', write.instanceId)
                .where('version', '=', expectedVersion)
                .returningAll()
                .executeTakeFirst();
        if (row === undefined) throw conflict();
        return toCredentialRecord(row);
      }),

    deleteCredential: (instanceId) =>
      guard('credentials.delete', async () => {
        if (!isUuid(instanceId)) return false;
        const result = await db
          .deleteFrom('mcp_credentials')
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return result.numDeletedRows > 0n;
      }),

    listCredentialsNotUnderKey: (activeKeyId, limit) =>
      guard('credentials.listNotUnderKey', async () => {
        assertLimit(limit);
        const rows = await db
          .selectFrom('mcp_credentials')
          .selectAll()
          .where('key_id', '<>', activeKeyId)
          .orderBy('instance_id')
          .limit(limit)
          .execute();
        return rows.map(toCredentialRecord);
      }),
  };
}
