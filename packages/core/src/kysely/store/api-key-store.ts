import { StoreError } from '../../errors/index.js';
import type { ApiKeyStore } from '../../store/ports.js';
import type { StoreContext } from './context.js';
import { guard } from './driver-errors.js';
import { toApiKeyRecord } from './rows.js';
import { assertUuid, isUuid } from './validate.js';

/** `mcp_api_keys` over kysely. Keys are looked up by hash only. */
export function createApiKeyStore({ db }: StoreContext): ApiKeyStore {
  return {
    createApiKey: (key) =>
      guard('apiKeys.create', async () => {
        assertUuid(key.instanceId, 'instanceId');
        const row = await db
          .insertInto('mcp_api_keys')
          .values({
            key_id: key.keyId,
            instance_id: key.instanceId,
            key_hash: key.keyHash,
            prefix: key.prefix,
            name: key.name,
            created_at: key.createdAt,
            last_used_at: null,
          })
          .onConflict((oc) => oc.doNothing())
          .returningAll()
          .executeTakeFirst();
        if (row === undefined)
          throw new StoreError('STORE_DUPLICATE', 'An API key with this id or hash exists');
        return toApiKeyRecord(row);
      }),

    findApiKeyByHash: (keyHash) =>
      guard('apiKeys.findByHash', async () => {
        const row = await db
          .selectFrom('mcp_api_keys')
          .selectAll()
          .where('key_hash', '=', keyHash)
          .executeTakeFirst();
        return row === undefined ? null : toApiKeyRecord(row);
      }),

    listApiKeys: (instanceId) =>
      guard('apiKeys.list', async () => {
        if (!isUuid(instanceId)) return [];
        const rows = await db
          .selectFrom('mcp_api_keys')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('created_at')
          .orderBy('key_id')
          .execute();
        return rows.map(toApiKeyRecord);
      }),

    deleteApiKey: (instanceId, keyId) =>
      guard('apiKeys.delete', async () => {
        if (!isUuid(instanceId)) return false;
        const result = await db
          .deleteFrom('mcp_api_keys')
          .where('instance_id', '=', instanceId)
          .where('key_id', '=', keyId)
          .executeTakeFirst();
        return result.numDeletedRows > 0n;
      }),

    touchApiKey: (keyId, at) =>
      guard('apiKeys.touch', async () => {
        await db.updateTable('mcp_api_keys').set({ last_used_at: at }).where('key_id', '=', keyId).execute();
      }),
  };
}
