import { InstanceError, RefreshError } from '../errors/index.js';
import type { AccessToken, RefreshResult } from '../oauth/types.js';
import { BreakerOpen } from './breakers.js';
import { publishRefreshed } from './cache-sync.js';
import { clientKeyOf, errorFields, type ManagerContext, unavailableError } from './context.js';
import {
  isDue,
  isUnexpired,
  type LoadedCredential,
  loadCredential,
  toAccessToken,
  tokensChanged,
} from './credential-view.js';
import type { HeldLock } from './ports.js';
import { markNeedsReauth } from './reauth.js';
import { createSingleFlight } from './single-flight.js';

/** What a caller wants from a refresh (internal). */
export interface RefreshRequest {
  instanceId: string;
  /** `due`: the token is within the margin; `force`: refresh even when fresh (admin, monitor, 401). */
  mode: 'due' | 'force';
  /** The row the caller read before asking; a force is satisfied when its tokens changed since. */
  seen: LoadedCredential;
  requestId: string | undefined;
}

/** How a refresh ended, for every caller that shared it (internal). */
export type RefreshOutcome =
  | { kind: 'refreshed'; loaded: LoadedCredential; token: AccessToken; result: RefreshResult }
  /** Nothing to do: another replica or caller refreshed already. */
  | { kind: 'reused'; loaded: LoadedCredential }
  /** Not possible now (transient failure, breaker, throttle, lock): serve `loaded` while valid, else throw. */
  | { kind: 'unavailable'; loaded: LoadedCredential; error: RefreshError };

/** The refresh path of ARCHITECTURE.md §3 steps 3–5 (internal). */
export interface RefreshEngine {
  /** Single-flight per instance in this process; callers arriving during a refresh share its outcome. */
  refresh(request: RefreshRequest): Promise<RefreshOutcome>;
  isRefreshing(instanceId: string): boolean;
  readonly inFlight: number;
}

const lockKey = (instanceId: string): string => `refresh:${instanceId}`;
/** After a terminal failure the re-read may show newer tokens that are due themselves: one more round. */
const MAX_ROUNDS = 2;

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/** Whether the request no longer needs an upstream call given the current row. */
function settled(request: RefreshRequest, current: LoadedCredential, now: number, marginMs: number): boolean {
  if (request.mode === 'due') return !isDue(current.credential.expiresAt, now, marginMs);
  return tokensChanged(request.seen.credential, current.credential);
}

/** Creates the refresh engine over the manager's shared context. */
export function createRefreshEngine(context: ManagerContext): RefreshEngine {
  const { deps, counters, breakers, throttle } = context;
  const flights = createSingleFlight<RefreshOutcome>(() => {
    counters.coalesced++;
  });

  const reused = (loaded: LoadedCredential): RefreshOutcome => {
    counters.reused++;
    return { kind: 'reused', loaded };
  };

  async function fastLock(instanceId: string): Promise<HeldLock | null | undefined> {
    if (deps.fastLock === undefined) return undefined;
    try {
      return await deps.fastLock.acquire(`mcp-oauth:${lockKey(instanceId)}`, {
        waitMs: deps.lockWaitMs,
        ttlMs: deps.lockTtlMs,
      });
    } catch (error) {
      // The fast path is optional: the database lock below still excludes other replicas.
      deps.logger.warn(
        { instanceId, ...errorFields(error) },
        'fast refresh lock unavailable; using the database lock',
      );
      return undefined;
    }
  }

  async function upstream(
    request: RefreshRequest,
    current: LoadedCredential,
    round: number,
  ): Promise<RefreshResult> {
    const { instanceId } = request;
    const { serviceName } = current.instance;
    const { expiresAt } = current.credential;
    return breakers.run(serviceName, instanceId, () => {
      // Only when a refresh really starts (not while a breaker refuses), so alerting is not flooded.
      if (request.mode === 'due' && round === 0 && expiresAt !== null && isUnexpired(expiresAt, deps.now())) {
        deps.events.emit('expiring', { instanceId, serviceName, expiresAt });
      }
      counters.upstreamCalls++;
      return deps.flow.refreshTokens(instanceId, { requestId: request.requestId, onTerminal: 'report' });
    });
  }

  async function succeeded(
    current: LoadedCredential,
    result: RefreshResult,
    startedAt: number,
  ): Promise<RefreshOutcome> {
    const { instanceId, serviceName } = current.instance;
    throttle.succeeded(instanceId);
    counters.refreshed++;
    const credential = await deps.store.credentials.getCredential(instanceId);
    if (credential === null) throw new InstanceError('INSTANCE_NOT_FOUND', 'Instance not found.');
    const instance = { ...current.instance, status: 'active' as const };
    context.instances.set(instanceId, instance);
    const loaded = { instance, credential };
    const token = await toAccessToken(deps.keyRing, loaded);
    await publishRefreshed(context, loaded, token);
    deps.events.emit('refreshed', {
      instanceId,
      serviceName,
      expiresAt: result.expiresAt,
      rotated: result.rotated,
      durationMs: Math.max(0, deps.now() - startedAt),
    });
    return { kind: 'refreshed', loaded, token, result };
  }

  function transient(current: LoadedCredential, error: RefreshError, clientKey: string): RefreshOutcome {
    const { instanceId, serviceName } = current.instance;
    const attempts = current.credential.refreshAttempts + 1;
    const waitMs = throttle.failed(instanceId, clientKey, attempts, error.retryAfterMs);
    counters.transientFailures++;
    deps.logger.warn(
      { instanceId, serviceName, attempts, status: error.status, retryAfterMs: waitMs },
      'token refresh failed (transient)',
    );
    deps.events.emit('refresh_failed', {
      instanceId,
      serviceName,
      code: error.code,
      terminal: false,
      attempts,
      retryAfterMs: error.retryAfterMs,
    });
    return {
      kind: 'unavailable',
      loaded: current,
      error: unavailableError(context, serviceName, waitMs, error),
    };
  }

  /** Steps 3–5 with the database lock held: re-read, throttle, breakers, upstream, classify. */
  async function underLock(request: RefreshRequest): Promise<RefreshOutcome> {
    const { instanceId, requestId } = request;
    let current = await loadCredential(deps.store, instanceId);
    for (let round = 0; ; round++) {
      const { instance, credential } = current;
      const { serviceName } = instance;
      context.instances.set(instanceId, instance);
      if (settled(request, current, deps.now(), deps.refreshMarginMs)) return reused(current);
      if (credential.refreshTokenCiphertext === null) {
        if (request.mode === 'due') {
          if (isUnexpired(credential.expiresAt, deps.now())) return reused(current);
          throw new InstanceError(
            'INSTANCE_NEEDS_REAUTH',
            'The access token expired and cannot be refreshed; reconnect the account.',
          );
        }
        throw new RefreshError(
          'REFRESH_NOT_SUPPORTED',
          'This instance has no refresh token; its token does not expire or must be re-authorized.',
        );
      }
      const clientKey = clientKeyOf(instance);
      const waitMs = throttle.waitMs(instanceId, clientKey, credential);
      if (waitMs > 0) {
        counters.throttled++;
        return {
          kind: 'unavailable',
          loaded: current,
          error: unavailableError(context, serviceName, waitMs),
        };
      }
      const startedAt = deps.now();
      try {
        return await succeeded(current, await upstream(request, current, round), startedAt);
      } catch (error) {
        if (error instanceof BreakerOpen) {
          counters.breakerRejections++;
          return {
            kind: 'unavailable',
            loaded: current,
            error: unavailableError(context, serviceName, error.retryAfterMs),
          };
        }
        if (error instanceof RefreshError && error.code === 'REFRESH_TRANSIENT')
          return transient(current, error, clientKey);
        if (!(error instanceof RefreshError && error.terminal)) {
          counters.otherFailures++;
          deps.logger.error({ instanceId, serviceName, ...errorFields(error) }, 'token refresh failed');
          deps.events.emit('refresh_failed', {
            instanceId,
            serviceName,
            code: codeOf(error),
            terminal: false,
            attempts: credential.refreshAttempts,
            retryAfterMs: undefined,
          });
          throw error;
        }
        counters.terminalFailures++;
        deps.events.emit('refresh_failed', {
          instanceId,
          serviceName,
          code: error.code,
          terminal: true,
          attempts: credential.refreshAttempts + 1,
          retryAfterMs: undefined,
        });
        // Re-read before giving up: another writer (a replica whose save landed, a re-authorization) may have
        // stored newer tokens since our read; the rejected refresh token was then simply an old one.
        const after = await loadCredential(deps.store, instanceId);
        if (tokensChanged(credential, after.credential)) {
          deps.logger.info(
            { instanceId, serviceName },
            'refresh rejected but newer tokens were stored meanwhile',
          );
          if (!isDue(after.credential.expiresAt, deps.now(), deps.refreshMarginMs)) return reused(after);
          if (round + 1 < MAX_ROUNDS) {
            current = after;
            continue;
          }
        }
        await markNeedsReauth(context, after.instance, {
          reason: `the provider rejected the refresh (${error.providerError ?? error.code})`,
          details: { code: error.code, providerError: error.providerError, status: error.status },
          requestId,
        });
        throw new InstanceError(
          'INSTANCE_NEEDS_REAUTH',
          'This account must be reconnected: the provider rejected the refresh.',
          { cause: error },
        );
      }
    }
  }

  async function run(request: RefreshRequest): Promise<RefreshOutcome> {
    const { instanceId } = request;
    const fast = await fastLock(instanceId);
    try {
      if (fast === null) {
        // Another replica held the fast lock for the whole wait: it has probably refreshed by now.
        const current = await loadCredential(deps.store, instanceId);
        if (settled(request, current, deps.now(), deps.refreshMarginMs)) return reused(current);
      }
      const locked = await deps.locks.withLock(lockKey(instanceId), { waitMs: deps.lockWaitMs }, () =>
        underLock(request),
      );
      if (locked.acquired) return locked.value;
      counters.lockTimeouts++;
      const current = await loadCredential(deps.store, instanceId);
      if (settled(request, current, deps.now(), deps.refreshMarginMs)) return reused(current);
      return {
        kind: 'unavailable',
        loaded: current,
        error: unavailableError(context, current.instance.serviceName, Math.max(deps.lockWaitMs, 1_000)),
      };
    } finally {
      if (fast) {
        await fast.release().catch((error: unknown) => {
          deps.logger.warn({ instanceId, ...errorFields(error) }, 'fast refresh lock release failed');
        });
      }
    }
  }

  return {
    refresh: (request) => flights.run(request.instanceId, () => run(request)),
    isRefreshing: (instanceId) => flights.has(instanceId),
    get inFlight() {
      return flights.size;
    },
  };
}
