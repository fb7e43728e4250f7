import { InstanceError, RefreshError } from '../errors/index.js';
import type { AccessToken, RefreshResult } from '../oauth/types.js';
import { openSecret } from '../oauth/vault.js';
import type { InstanceRecord } from '../store/ports.js';
import { isUuid } from '../util/uuid.js';
import { createBoundedMap } from './bounded-map.js';
import { createBreakers } from './breakers.js';
import { fillCache, purgeCache } from './cache-sync.js';
import { errorFields, type ManagerContext } from './context.js';
import {
  fromCacheEntry,
  isDue,
  isUnexpired,
  type LoadedCredential,
  loadCredential,
  toAccessToken,
  tokensChanged,
} from './credential-view.js';
import { resolveTokenManagerOptions, type TokenManagerOptions } from './options.js';
import { markNeedsReauth } from './reauth.js';
import { createRefreshEngine, type RefreshOutcome } from './refresh-engine.js';
import { readStatus, snapshotStats } from './reporting.js';
import { createSingleFlight } from './single-flight.js';
import { createCounters } from './stats.js';
import { createThrottle } from './throttle.js';
import type { TokenManager, UnauthorizedOutcome } from './types.js';

/** Instance records remembered for cache hits without a database query. */
const INSTANCE_MEMO_SIZE = 10_000;

function assertInstanceId(instanceId: string): void {
  if (!isUuid(instanceId)) throw new InstanceError('INSTANCE_INVALID_ID', 'Instance ids are UUIDs.');
}

/**
 * Creates the token manager: `getAccessToken` reads the cache, then the database, and refreshes within the
 * margin — once per instance per process (single-flight), once across replicas (fast Redis lock if given, then
 * the database lock as the authority, re-reading the row after taking it), behind a circuit breaker per
 * provider and per instance, with jittered exponential backoff that honours `Retry-After`. Terminal failures
 * mark the instance `needs_reauth` only after a re-read shows no newer tokens. See the README's
 * "Token lifecycle".
 *
 * @throws ConfigError naming the first invalid option.
 * @example
 * ```ts
 * const tokens = createTokenManager({ flow, store, keyRing, cache, logger });
 * tokens.events.on('needs_reauth', ({ instanceId, reason }) => notifyOwner(instanceId, reason));
 * const { accessToken } = await tokens.getAccessToken(instanceId);
 * ```
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const deps = resolveTokenManagerOptions(options);
  const counters = createCounters();
  const context: ManagerContext = {
    deps,
    counters,
    breakers: createBreakers({
      now: deps.now,
      logger: deps.logger,
      events: deps.events,
      provider: deps.breaker,
      instance: deps.instanceBreaker,
    }),
    throttle: createThrottle({ now: deps.now, random: deps.random, backoff: deps.backoff }),
    instances: createBoundedMap<InstanceRecord>(INSTANCE_MEMO_SIZE),
  };
  const engine = createRefreshEngine(context);
  const reads = createSingleFlight<AccessToken>(() => {
    counters.coalesced++;
  });
  const unauthorized = createSingleFlight<UnauthorizedOutcome>();

  async function load(instanceId: string): Promise<LoadedCredential> {
    try {
      const loaded = await loadCredential(deps.store, instanceId);
      context.instances.set(instanceId, loaded.instance);
      return loaded;
    } catch (error) {
      if (error instanceof InstanceError && error.code === 'INSTANCE_NOT_FOUND')
        context.instances.delete(instanceId);
      throw error;
    }
  }

  /** Step 1: a cached token outside the margin, without touching the database. */
  async function fromCache(
    instanceId: string,
    known: InstanceRecord | undefined,
  ): Promise<AccessToken | undefined> {
    if (deps.cache === undefined) return undefined;
    const instance = known?.instanceId === instanceId ? known : context.instances.get(instanceId);
    if (instance === undefined) {
      counters.cacheMisses++;
      return undefined;
    }
    let entry: Awaited<ReturnType<typeof deps.cache.get>>;
    try {
      entry = await deps.cache.get({ serviceName: instance.serviceName, instanceId });
    } catch (error) {
      counters.cacheErrors++;
      deps.logger.warn(
        { instanceId, ...errorFields(error) },
        'token cache read failed; reading the database',
      );
      return undefined;
    }
    if (
      entry === undefined ||
      entry.status !== 'active' ||
      isDue(entry.expiresAt, deps.now(), deps.refreshMarginMs)
    ) {
      counters.cacheMisses++;
      return undefined;
    }
    counters.cacheHits++;
    return fromCacheEntry(entry, instance);
  }

  /** The token of a refresh outcome for `getAccessToken`: the current one is served while it is valid. */
  async function tokenOf(outcome: RefreshOutcome): Promise<AccessToken> {
    if (outcome.kind === 'refreshed') return outcome.token;
    const { loaded } = outcome;
    if (outcome.kind === 'unavailable') {
      if (!isUnexpired(loaded.credential.expiresAt, deps.now())) throw outcome.error;
      counters.servedCurrent++;
      return toAccessToken(deps.keyRing, loaded);
    }
    const token = await toAccessToken(deps.keyRing, loaded);
    if (!isDue(loaded.credential.expiresAt, deps.now(), deps.refreshMarginMs))
      await fillCache(context, loaded, token);
    return token;
  }

  /** Steps 2–5 for one instance, shared by every concurrent caller. */
  async function readThrough(instanceId: string, requestId: string | undefined): Promise<AccessToken> {
    const loaded = await load(instanceId);
    const { credential } = loaded;
    const now = deps.now();
    if (!isDue(credential.expiresAt, now, deps.refreshMarginMs)) {
      const token = await toAccessToken(deps.keyRing, loaded);
      await fillCache(context, loaded, token);
      return token;
    }
    if (credential.refreshTokenCiphertext === null) {
      if (isUnexpired(credential.expiresAt, now)) return toAccessToken(deps.keyRing, loaded);
      throw new InstanceError(
        'INSTANCE_NEEDS_REAUTH',
        'The access token expired and cannot be refreshed; reconnect the account.',
      );
    }
    return tokenOf(await engine.refresh({ instanceId, mode: 'due', seen: loaded, requestId }));
  }

  async function forceRefresh(instanceId: string, requestId: string | undefined, seen?: LoadedCredential) {
    assertInstanceId(instanceId);
    const loaded = seen ?? (await load(instanceId));
    if (loaded.credential.refreshTokenCiphertext === null) {
      throw new RefreshError(
        'REFRESH_NOT_SUPPORTED',
        'This instance has no refresh token; its token does not expire or must be re-authorized.',
      );
    }
    const outcome = await engine.refresh({ instanceId, mode: 'force', seen: loaded, requestId });
    if (outcome.kind === 'unavailable') throw outcome.error;
    if (outcome.kind === 'refreshed') return outcome.result;
    const { credential } = outcome.loaded;
    return { instanceId, expiresAt: credential.expiresAt, rotated: false, version: credential.version };
  }

  async function handleUnauthorized(
    instanceId: string,
    accessToken: string,
    requestId: string | undefined,
  ): Promise<UnauthorizedOutcome> {
    let loaded: LoadedCredential;
    try {
      loaded = await load(instanceId);
    } catch (error) {
      if (error instanceof InstanceError && error.code === 'INSTANCE_NEEDS_REAUTH') return 'needs_reauth';
      throw error;
    }
    const { instance, credential } = loaded;
    const stored = await openSecret(
      deps.keyRing,
      'accessToken',
      instanceId,
      credential.accessTokenCiphertext,
    );
    if (stored !== accessToken) {
      // The caller used an older token; drop cached copies so the next call reads the stored one.
      await purgeCache(context, instance.serviceName, instanceId);
      return 'replaced';
    }
    if (credential.refreshTokenCiphertext !== null) {
      try {
        await forceRefresh(instanceId, requestId, loaded);
        return 'refreshed';
      } catch (error) {
        if (error instanceof InstanceError && error.code === 'INSTANCE_NEEDS_REAUTH') return 'needs_reauth';
        throw error;
      }
    }
    // A token that never expires was rejected: one re-read, then needs_reauth (ARCHITECTURE.md §3.6).
    const again = await deps.store.credentials.getCredential(instanceId);
    if (again !== null && tokensChanged(credential, again)) {
      await purgeCache(context, instance.serviceName, instanceId);
      return 'replaced';
    }
    await markNeedsReauth(context, instance, {
      reason: 'the provider rejected the access token (HTTP 401)',
      details: { status: 401 },
      requestId,
    });
    return 'needs_reauth';
  }

  return {
    events: deps.events,

    async getAccessToken(instanceId, opts = {}) {
      assertInstanceId(instanceId);
      const cached = await fromCache(instanceId, opts.instance);
      if (cached !== undefined) return cached;
      return reads.run(instanceId, () => readThrough(instanceId, opts.requestId));
    },

    forceRefresh: (instanceId, opts = {}): Promise<RefreshResult> => forceRefresh(instanceId, opts.requestId),

    reportUnauthorized(instanceId, opts) {
      assertInstanceId(instanceId);
      if (typeof opts?.accessToken !== 'string' || opts.accessToken === '') {
        return Promise.reject(new TypeError('reportUnauthorized needs the rejected accessToken'));
      }
      return unauthorized.run(instanceId, () =>
        handleUnauthorized(instanceId, opts.accessToken, opts.requestId),
      );
    },

    async status(instanceId) {
      assertInstanceId(instanceId);
      return readStatus(context, engine, instanceId);
    },

    stats: () => snapshotStats(context, engine),
  };
}
