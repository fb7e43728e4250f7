/** Counters of one token manager since it was created (internal; see `TokenManagerStats`). */
export interface Counters {
  cacheHits: number;
  cacheMisses: number;
  cacheErrors: number;
  /** Callers that shared an in-flight read or refresh instead of starting their own. */
  coalesced: number;
  /** Upstream refresh-token grants started. */
  upstreamCalls: number;
  refreshed: number;
  /** Refreshes skipped because another replica (or flight) had refreshed already. */
  reused: number;
  transientFailures: number;
  terminalFailures: number;
  /** Refreshes that failed for another reason (store down, failed save). */
  otherFailures: number;
  throttled: number;
  breakerRejections: number;
  lockTimeouts: number;
  /** Calls answered with the still-valid current token because a refresh was not possible. */
  servedCurrent: number;
  needsReauth: number;
}

/** Fresh zeroed counters. */
export function createCounters(): Counters {
  return {
    cacheHits: 0,
    cacheMisses: 0,
    cacheErrors: 0,
    coalesced: 0,
    upstreamCalls: 0,
    refreshed: 0,
    reused: 0,
    transientFailures: 0,
    terminalFailures: 0,
    otherFailures: 0,
    throttled: 0,
    breakerRejections: 0,
    lockTimeouts: 0,
    servedCurrent: 0,
    needsReauth: 0,
  };
}
