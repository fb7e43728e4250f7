import { InstanceError } from '../errors/index.js';
import { clientKeyOf, type ManagerContext } from './context.js';
import type { RefreshEngine } from './refresh-engine.js';
import type { TokenManagerStats, TokenStatus } from './types.js';

/** `status(instanceId)`: refresh bookkeeping from the database plus this replica's breakers (no secrets). */
export async function readStatus(
  context: ManagerContext,
  engine: RefreshEngine,
  instanceId: string,
): Promise<TokenStatus> {
  const { store } = context.deps;
  const instance = await store.instances.getInstance(instanceId);
  if (instance === null) throw new InstanceError('INSTANCE_NOT_FOUND', 'Instance not found.');
  const credential = await store.credentials.getCredential(instanceId);
  return {
    instanceId,
    serviceName: instance.serviceName,
    status: instance.status,
    expiresAt: credential?.expiresAt?.toISOString() ?? null,
    hasRefreshToken: (credential?.refreshTokenCiphertext ?? null) !== null,
    version: credential?.version ?? null,
    refreshAttempts: credential?.refreshAttempts ?? 0,
    lastRefreshAt: credential?.lastRefreshAt?.toISOString() ?? null,
    lastRefreshError: credential?.lastRefreshError ?? null,
    nextAttemptInMs: credential ? context.throttle.waitMs(instanceId, clientKeyOf(instance), credential) : 0,
    refreshing: engine.isRefreshing(instanceId),
    breakers: {
      provider: context.breakers.providerState(instance.serviceName),
      instance: context.breakers.instanceState(instanceId),
    },
  };
}

/** `stats()`: this replica's counters and breaker states. */
export function snapshotStats(context: ManagerContext, engine: RefreshEngine): TokenManagerStats {
  const { counters, breakers } = context;
  const lookups = counters.cacheHits + counters.cacheMisses;
  return {
    cache: {
      hits: counters.cacheHits,
      misses: counters.cacheMisses,
      errors: counters.cacheErrors,
      hitRatio: lookups === 0 ? 0 : counters.cacheHits / lookups,
    },
    refresh: {
      upstreamCalls: counters.upstreamCalls,
      succeeded: counters.refreshed,
      reused: counters.reused,
      transientFailures: counters.transientFailures,
      terminalFailures: counters.terminalFailures,
      otherFailures: counters.otherFailures,
      throttled: counters.throttled,
      breakerRejections: counters.breakerRejections,
      lockTimeouts: counters.lockTimeouts,
      servedCurrent: counters.servedCurrent,
      needsReauth: counters.needsReauth,
      coalesced: counters.coalesced,
      inFlight: engine.inFlight,
    },
    breakers: { providers: breakers.providers(), openInstances: breakers.openInstances() },
  };
}
