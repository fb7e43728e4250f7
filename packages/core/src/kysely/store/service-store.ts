import type { ServiceStore } from '../../store/ports.js';
import type { StoreContext } from './context.js';
import { guard } from './driver-errors.js';
import { toServiceRecord } from './rows.js';

/** `mcp_table` over kysely. */
export function createServiceStore({ db, now }: StoreContext): ServiceStore {
  return {
    upsertService: (service) =>
      guard('services.upsert', async () => {
        const at = now();
        const metadata = JSON.stringify(service.metadata ?? {});
        const row = await db
          .insertInto('mcp_table')
          .values({
            name: service.name,
            display_name: service.displayName,
            auth_type: service.authType,
            status: service.status,
            metadata,
            registered_at: at,
            updated_at: at,
          })
          .onConflict((oc) =>
            oc.column('name').doUpdateSet({
              display_name: service.displayName,
              auth_type: service.authType,
              status: service.status,
              metadata,
              updated_at: at,
            }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        return toServiceRecord(row);
      }),

    getService: (name) =>
      guard('services.get', async () => {
        const row = await db.selectFrom('mcp_table').selectAll().where('name', '=', name).executeTakeFirst();
        return row === undefined ? null : toServiceRecord(row);
      }),

    listServices: () =>
      guard('services.list', async () => {
        const rows = await db.selectFrom('mcp_table').selectAll().orderBy('name').execute();
        return rows.map(toServiceRecord);
      }),
  };
}
