import type { AuditEvent } from '../store/ports.js';
import type { RequestContext } from './context.js';

/**
 * Appends an audit record for an action the request already performed. A failed append is logged, not
 * surfaced: the action happened and the response must say so.
 */
export async function recordAudit(
  context: RequestContext,
  event: Pick<AuditEvent, 'instanceId' | 'actor' | 'event' | 'outcome' | 'details'>,
): Promise<void> {
  const { store, now, logger } = context.deps;
  try {
    await store.audit.appendAudit({ ...event, at: new Date(now()), requestId: context.requestId });
  } catch (error) {
    logger.error(
      {
        requestId: context.requestId,
        event: event.event,
        err: error instanceof Error ? error.name : 'unknown',
      },
      'could not append audit record',
    );
  }
}
