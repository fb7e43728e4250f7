import { audit } from '../oauth/audit.js';
import type { InstanceRecord } from '../store/ports.js';
import { purgeCache } from './cache-sync.js';
import type { ManagerContext } from './context.js';

/**
 * Marks an instance `needs_reauth` after the caller re-read its credential: status, cache purge on every
 * replica, audit record and `needs_reauth` event. The reason names codes only, never a token.
 */
export async function markNeedsReauth(
  context: ManagerContext,
  instance: InstanceRecord,
  input: { reason: string; details: Record<string, unknown>; requestId: string | undefined },
): Promise<void> {
  const { store, events, logger } = context.deps;
  const { instanceId, serviceName } = instance;
  const updated = await store.instances.updateInstance(instanceId, { status: 'needs_reauth' });
  context.instances.set(instanceId, updated);
  context.counters.needsReauth++;
  await purgeCache(context, serviceName, instanceId);
  await audit(context.deps, store, {
    instanceId,
    actor: 'system',
    event: 'token.needs_reauth',
    outcome: 'failure',
    requestId: input.requestId,
    details: { ...input.details, reason: input.reason },
  });
  logger.warn({ instanceId, serviceName, reason: input.reason }, 'instance needs re-authorization');
  events.emit('needs_reauth', { instanceId, serviceName, reason: input.reason });
}
