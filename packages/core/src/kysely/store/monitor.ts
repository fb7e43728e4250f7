import { sql } from 'kysely';
import { StoreError } from '../../errors/index.js';
import type { DueCredential, MonitorStore } from '../../store/ports.js';
import type { StoreContext } from './context.js';
import { guard } from './driver-errors.js';
import { toDueCredential } from './rows.js';
import { assertLimit, isUuid } from './validate.js';

/** Largest page a monitor query accepts. */
export const MAX_MONITOR_PAGE = 1_000;

function assertCursorId(instanceId: string, field: string): void {
  if (!isUuid(instanceId)) throw new StoreError('STORE_INVALID_INPUT', `${field} must be a UUID`);
}

/** `mcp_credentials` ⋈ `mcp_service_table` for active instances holding a refresh token. */
function activeWithRefreshToken(context: StoreContext) {
  return context.db
    .selectFrom('mcp_credentials as c')
    .innerJoin('mcp_service_table as i', 'i.instance_id', 'c.instance_id')
    .select((eb) => [
      'c.instance_id',
      'i.service_name',
      'i.status',
      'c.expires_at',
      eb('c.refresh_token_ciphertext', 'is not', null).as('has_refresh_token'),
      'i.last_used_at',
      'c.last_refresh_at',
      'c.refresh_attempts',
    ])
    .where('i.status', '=', 'active')
    .where('c.refresh_token_ciphertext', 'is not', null);
}

/**
 * {@link MonitorStore} over kysely. Every query pages by keyset and is served by indexes of migration 0002:
 * due credentials by `mcp_credentials_refresh_due_idx` in `(expires_at, instance_id)` order joined to
 * instances by primary key; idle ones by `mcp_credentials_idle_idx` and `mcp_service_table_active_used_idx`;
 * expired ones by `mcp_credentials_no_refresh_expiry_idx`. None scans a whole table (checked with EXPLAIN
 * on 100k instances in `monitor-explain.postgres.test.ts`).
 */
export function createMonitorStore(context: StoreContext): MonitorStore {
  const { db, now } = context;
  return {
    listDueForRefresh: (before, after, limit) =>
      guard('monitor.listDueForRefresh', async (): Promise<DueCredential[]> => {
        assertLimit(limit, MAX_MONITOR_PAGE);
        if (after !== null) assertCursorId(after.instanceId, 'cursor instanceId');
        let query = activeWithRefreshToken(context)
          .where('c.expires_at', 'is not', null)
          .where('c.expires_at', '<=', before);
        if (after !== null) {
          query = query.where((eb) =>
            eb(
              eb.refTuple('c.expires_at', 'c.instance_id'),
              '>',
              eb.tuple(after.expiresAt, after.instanceId),
            ),
          );
        }
        const rows = await query.orderBy('c.expires_at').orderBy('c.instance_id').limit(limit).execute();
        return rows.map(toDueCredential);
      }),

    listIdle: (idleSince, afterInstanceId, limit) =>
      guard('monitor.listIdle', async (): Promise<DueCredential[]> => {
        assertLimit(limit, MAX_MONITOR_PAGE);
        if (afterInstanceId !== null) assertCursorId(afterInstanceId, 'afterInstanceId');
        // A credential never refreshed counts from its last write (the authorization that created it). The
        // expression matches the index `mcp_credentials_idle_idx`.
        let query = activeWithRefreshToken(context)
          .where(sql<Date>`coalesce(c.last_refresh_at, c.updated_at)`, '<', idleSince)
          .where((eb) => eb.or([eb('i.last_used_at', 'is', null), eb('i.last_used_at', '<', idleSince)]));
        if (afterInstanceId !== null) query = query.where('c.instance_id', '>', afterInstanceId);
        const rows = await query.orderBy('c.instance_id').limit(limit).execute();
        return rows.map(toDueCredential);
      }),

    markExpired: (at, limit) =>
      guard('monitor.markExpired', async () => {
        assertLimit(limit, MAX_MONITOR_PAGE);
        // The outer `status = 'active'` is re-checked on the locked row, so an instance re-activated
        // concurrently is left alone; SKIP LOCKED keeps two sweeps from waiting on each other.
        const rows = await db
          .updateTable('mcp_service_table')
          .set({ status: 'expired', updated_at: now() })
          .where('status', '=', 'active')
          .where('instance_id', 'in', (eb) =>
            eb
              .selectFrom('mcp_credentials as c')
              .innerJoin('mcp_service_table as i', 'i.instance_id', 'c.instance_id')
              .select('c.instance_id')
              .where('c.refresh_token_ciphertext', 'is', null)
              .where('c.expires_at', 'is not', null)
              .where('c.expires_at', '<', at)
              .where('i.status', '=', 'active')
              .orderBy('c.expires_at')
              .limit(limit)
              .forUpdate('i')
              .skipLocked(),
          )
          .returning('instance_id')
          .execute();
        return rows.map((row) => row.instance_id);
      }),
  };
}
