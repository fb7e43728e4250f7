import type { AuditEvent, AuditStore } from '../../store/ports.js';
import type { StoreContext } from './context.js';
import { guard } from './driver-errors.js';
import { toAuditEvent } from './rows.js';
import { assertLimit, assertUuid, isUuid } from './validate.js';

function toRow(event: AuditEvent) {
  if (event.instanceId !== null) assertUuid(event.instanceId, 'instanceId');
  return {
    at: event.at,
    instance_id: event.instanceId,
    actor: event.actor,
    event: event.event,
    outcome: event.outcome,
    request_id: event.requestId,
    details: JSON.stringify(event.details ?? {}),
  };
}

/** `mcp_audit_log` over kysely (append-only). */
export function createAuditStore({ db }: StoreContext): AuditStore {
  return {
    appendAudit: (event) =>
      guard('audit.append', async () => {
        await db.insertInto('mcp_audit_log').values(toRow(event)).execute();
      }),

    appendAudits: (events) =>
      guard('audit.append', async () => {
        if (events.length === 0) return;
        // Rows are checked before anything is written: one statement, all rows or none.
        await db.insertInto('mcp_audit_log').values(events.map(toRow)).execute();
      }),

    listAudit: (query) =>
      guard('audit.list', async () => {
        assertLimit(query.limit, 1000);
        if (query.instanceId !== undefined && !isUuid(query.instanceId)) return [];
        let select = db.selectFrom('mcp_audit_log').selectAll();
        if (query.instanceId !== undefined) select = select.where('instance_id', '=', query.instanceId);
        const rows = await select.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
        return rows.map(toAuditEvent);
      }),
  };
}
