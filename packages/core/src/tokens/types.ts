import type { AccessToken, RefreshResult } from '../oauth/types.js';
import type { InstanceRecord, InstanceStatus } from '../store/ports.js';
import type { BreakerState } from './breakers.js';
import type { TokenEventSource } from './events.js';

/** Options of {@link TokenManager.getAccessToken}. */
export interface GetAccessTokenOptions {
  /** Correlates audit records and logs. */
  requestId?: string;
  /**
   * The instance record when the caller already loaded it (the MCP handler does): a cache hit then needs no
   * database query at all. Without it the manager uses the record it remembers from earlier reads.
   */
  instance?: InstanceRecord;
}

/** Options of {@link TokenManager.reportUnauthorized}. */
export interface ReportUnauthorizedOptions {
  /** The access token the provider answered 401 to (compared with the stored one, never logged). */
  accessToken: string;
  requestId?: string;
}

/**
 * What {@link TokenManager.reportUnauthorized} did: `replaced` — a newer token is stored already (use it);
 * `refreshed` — the token was refreshed now; `needs_reauth` — the instance must be re-authorized.
 */
export type UnauthorizedOutcome = 'replaced' | 'refreshed' | 'needs_reauth';

/** State of one breaker, with how long it still refuses calls. */
export interface BreakerStatus {
  state: BreakerState;
  /** Milliseconds until an open breaker lets a probe through (0 otherwise). */
  retryAfterMs: number;
}

/** Refresh bookkeeping of one instance, without any secret. */
export interface TokenStatus {
  instanceId: string;
  serviceName: string;
  status: InstanceStatus;
  /** Access token expiry (ISO 8601); `null` for tokens that never expire or when no token is stored. */
  expiresAt: string | null;
  hasRefreshToken: boolean;
  /** Credential row version; `null` when no token is stored. */
  version: number | null;
  /** Consecutive failed refresh attempts (reset on success). */
  refreshAttempts: number;
  lastRefreshAt: string | null;
  /** Last failure, already free of secrets (code and message). */
  lastRefreshError: string | null;
  /** Milliseconds before this replica will call the provider again for this instance (backoff, Retry-After). */
  nextAttemptInMs: number;
  /** Whether this replica is refreshing the instance right now. */
  refreshing: boolean;
  breakers: { provider: BreakerStatus; instance: BreakerStatus };
}

/** Counters of one token manager since it was created. */
export interface TokenManagerStats {
  cache: {
    hits: number;
    misses: number;
    /** Cache reads or writes that failed (the database answered instead). */
    errors: number;
    /** hits / (hits + misses), 0 before the first lookup. */
    hitRatio: number;
  };
  refresh: {
    /** Refresh-token grants sent upstream. */
    upstreamCalls: number;
    succeeded: number;
    /** Skipped because another replica or caller had refreshed already. */
    reused: number;
    transientFailures: number;
    terminalFailures: number;
    otherFailures: number;
    throttled: number;
    breakerRejections: number;
    lockTimeouts: number;
    servedCurrent: number;
    needsReauth: number;
    /** Callers that shared an in-flight read or refresh. */
    coalesced: number;
    /** Refreshes running now. */
    inFlight: number;
  };
  breakers: {
    /** Provider breaker states by service name (only providers that were called). */
    providers: Record<string, BreakerState>;
    /** Instance breakers currently open or half-open. */
    openInstances: number;
  };
}

/** Access tokens with caching, single-flight refresh, cross-replica locking and circuit breakers. */
export interface TokenManager {
  /**
   * A usable access token: cache → database → refresh within the margin (see the README's "Token lifecycle").
   * While a refresh is impossible (provider down, breaker open, throttled) the current token is served as long
   * as it is still valid.
   * @throws InstanceError `INSTANCE_INVALID_ID`, `INSTANCE_NOT_FOUND`, `INSTANCE_NOT_ACTIVE`,
   *   `INSTANCE_NEEDS_REAUTH`; RefreshError `REFRESH_TRANSIENT` ("temporarily unavailable, retry after N s",
   *   with `retryAfterMs`) once the current token has expired; StoreError when the database fails.
   */
  getAccessToken(instanceId: string, options?: GetAccessTokenOptions): Promise<AccessToken>;
  /**
   * Refreshes now, through the same single-flight, lock, throttle and breakers. When another replica refreshed
   * meanwhile its result is returned (`rotated: false`).
   * @throws RefreshError `REFRESH_NOT_SUPPORTED` (no refresh token), `REFRESH_TRANSIENT`; InstanceError as above.
   */
  forceRefresh(instanceId: string, options?: { requestId?: string }): Promise<RefreshResult>;
  /**
   * For tools whose API call answered 401. Re-reads the credential: a newer stored token → `replaced`; a
   * refreshable token → refreshed now; a token that never expires → the instance is marked `needs_reauth`.
   */
  reportUnauthorized(instanceId: string, options: ReportUnauthorizedOptions): Promise<UnauthorizedOutcome>;
  /** Refresh bookkeeping and breaker states of one instance (reads the database; no secrets). */
  status(instanceId: string): Promise<TokenStatus>;
  /** Counters and breaker states of this replica. */
  stats(): TokenManagerStats;
  /** Lifecycle events: `expiring`, `refreshed`, `refresh_failed`, `needs_reauth`, `breaker_open`, … */
  readonly events: TokenEventSource;
}
