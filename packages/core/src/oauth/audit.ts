import type { AuditEvent, Store } from '../store/ports.js';
import type { FlowDeps } from './options.js';

/**
 * Appends an audit record. An audit write failure is logged, never thrown: losing a token because the audit
 * table was unavailable would be worse than losing the record.
 */
export async function audit(
  deps: Pick<FlowDeps, 'now' | 'logger'>,
  store: Store,
  event: Omit<AuditEvent, 'at' | 'requestId' | 'details'> & {
    requestId?: string | undefined;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  try {
    await store.audit.appendAudit({
      at: new Date(deps.now()),
      instanceId: event.instanceId,
      actor: event.actor,
      event: event.event,
      outcome: event.outcome,
      requestId: event.requestId ?? null,
      details: event.details ?? {},
    });
  } catch (error) {
    deps.logger.error(
      { event: event.event, instanceId: event.instanceId, err: (error as Error).message },
      'audit write failed',
    );
  }
}
