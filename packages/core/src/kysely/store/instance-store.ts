import type { Updateable } from 'kysely';
import { StoreError } from '../../errors/index.js';
import type { InstancePage, InstanceStore } from '../../store/ports.js';
import type { InstanceTable } from '../schema.js';
import type { StoreContext } from './context.js';
import { decodeInstanceCursor, encodeInstanceCursor } from './cursor.js';
import { guard } from './driver-errors.js';
import { configJson, toInstanceRecord } from './rows.js';
import { assertLimit, assertUuid, isUuid } from './validate.js';

/** `mcp_service_table` over kysely. */
export function createInstanceStore({ db, now }: StoreContext): InstanceStore {
  return {
    createInstance: (instance) =>
      guard('instances.create', async () => {
        assertUuid(instance.instanceId, 'instanceId');
        const at = now();
        // ON CONFLICT DO NOTHING instead of catching 23505: a failed statement would abort a surrounding
        // transaction.
        const row = await db
          .insertInto('mcp_service_table')
          .values({
            instance_id: instance.instanceId,
            service_name: instance.serviceName,
            user_id: instance.userId,
            status: instance.status,
            config: configJson(instance.config),
            upstream_subject: null,
            upstream_login: null,
            created_at: at,
            updated_at: at,
            last_used_at: null,
            oauth_completed_at: null,
          })
          .onConflict((oc) => oc.column('instance_id').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (row === undefined)
          throw new StoreError('STORE_DUPLICATE', 'An instance with this id already exists');
        return toInstanceRecord(row);
      }),

    getInstance: (instanceId) =>
      guard('instances.get', async () => {
        if (!isUuid(instanceId)) return null;
        const row = await db
          .selectFrom('mcp_service_table')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return row === undefined ? null : toInstanceRecord(row);
      }),

    listInstances: (query) =>
      guard('instances.list', async (): Promise<InstancePage> => {
        assertLimit(query.limit);
        const after = query.cursor ? decodeInstanceCursor(query.cursor) : null;
        let select = db.selectFrom('mcp_service_table').selectAll();
        if (query.serviceName !== undefined) select = select.where('service_name', '=', query.serviceName);
        if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
        if (query.status !== undefined) select = select.where('status', '=', query.status);
        if (after !== null) {
          select = select.where((eb) =>
            eb(eb.refTuple('created_at', 'instance_id'), '>', eb.tuple(after.createdAt, after.instanceId)),
          );
        }
        const rows = await select
          .orderBy('created_at')
          .orderBy('instance_id')
          .limit(query.limit + 1)
          .execute();
        const items = rows.slice(0, query.limit).map(toInstanceRecord);
        const last = items.at(-1);
        return {
          items,
          nextCursor:
            rows.length > query.limit && last !== undefined
              ? encodeInstanceCursor({ createdAt: last.createdAt, instanceId: last.instanceId })
              : null,
        };
      }),

    updateInstance: (instanceId, patch) =>
      guard('instances.update', async () => {
        if (!isUuid(instanceId)) throw new StoreError('STORE_NOT_FOUND', 'Instance not found');
        const set: Updateable<InstanceTable> = { updated_at: now() };
        if (patch.status !== undefined) set.status = patch.status;
        if (patch.config !== undefined) set.config = configJson(patch.config);
        if (patch.upstreamSubject !== undefined) set.upstream_subject = patch.upstreamSubject;
        if (patch.upstreamLogin !== undefined) set.upstream_login = patch.upstreamLogin;
        if (patch.lastUsedAt !== undefined) set.last_used_at = patch.lastUsedAt;
        if (patch.oauthCompletedAt !== undefined) set.oauth_completed_at = patch.oauthCompletedAt;
        const row = await db
          .updateTable('mcp_service_table')
          .set(set)
          .where('instance_id', '=', instanceId)
          .returningAll()
          .executeTakeFirst();
        if (row === undefined) throw new StoreError('STORE_NOT_FOUND', 'Instance not found');
        return toInstanceRecord(row);
      }),

    deleteInstance: (instanceId) =>
      guard('instances.delete', async () => {
        if (!isUuid(instanceId)) return false;
        const result = await db
          .deleteFrom('mcp_service_table')
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return result.numDeletedRows > 0n;
      }),

    deleteStalePending: (olderThan, limit) =>
      guard('instances.deleteStalePending', async () => {
        assertLimit(limit, 10_000);
        const result = await db
          .deleteFrom('mcp_service_table')
          .where('instance_id', 'in', (eb) =>
            eb
              .selectFrom('mcp_service_table')
              .select('instance_id')
              .where('status', '=', 'pending_oauth')
              .where('created_at', '<', olderThan)
              .orderBy('created_at')
              .limit(limit),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      }),
  };
}
