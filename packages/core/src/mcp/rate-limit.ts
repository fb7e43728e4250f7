import { ConfigError } from '../errors/index.js';
import type { Clock } from '../util/types.js';

/** Shape of one token bucket. */
export interface TokenBucketSpec {
  /** Largest burst: tokens a full bucket holds. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
}

/** Outcome of taking one token. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Tokens left after this take (rounded down). */
  remaining: number;
  /** When refused: how long until one token is back, in milliseconds; `0` when allowed. */
  retryAfterMs: number;
}

/**
 * Where bucket state lives: in process ({@link createMemoryRateLimitStore}) or shared between processes (a Redis
 * implementation runs the same arithmetic atomically). `take` must be atomic per key.
 */
export interface RateLimitStore {
  /** Refills the bucket `key` up to `nowMs`, then takes one token when there is one. */
  take(key: string, spec: TokenBucketSpec, nowMs: number): Promise<RateLimitDecision>;
}

/** Bucket state: tokens left at `atMs`. */
export interface BucketState {
  tokens: number;
  atMs: number;
}

/** The token-bucket arithmetic every store shares (a missing bucket is full). */
export function takeFromBucket(
  state: BucketState | undefined,
  spec: TokenBucketSpec,
  nowMs: number,
): { state: BucketState; decision: RateLimitDecision } {
  const elapsedMs = state === undefined ? 0 : Math.max(0, nowMs - state.atMs);
  // A clock step backwards never rewinds the bucket (which would refill it twice).
  const atMs = state === undefined ? nowMs : Math.max(state.atMs, nowMs);
  const before =
    state === undefined
      ? spec.capacity
      : Math.min(spec.capacity, state.tokens + (elapsedMs / 1000) * spec.refillPerSecond);
  if (before >= 1) {
    const tokens = before - 1;
    return {
      state: { tokens, atMs },
      decision: { allowed: true, remaining: Math.floor(tokens), retryAfterMs: 0 },
    };
  }
  const retryAfterMs = Math.ceil(((1 - before) / spec.refillPerSecond) * 1000);
  return { state: { tokens: before, atMs }, decision: { allowed: false, remaining: 0, retryAfterMs } };
}

/**
 * An in-process {@link RateLimitStore}: one bucket per key in a `Map`, the least recently used dropped beyond
 * `maxKeys` (a dropped bucket comes back full). Per process: with several processes, each allows the full rate.
 */
export function createMemoryRateLimitStore(options: { maxKeys?: number } = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? 10_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys <= 0)
    throw new ConfigError('maxKeys', 'must be a positive integer');
  const buckets = new Map<string, BucketState>();
  return {
    async take(key, spec, nowMs) {
      const { state, decision } = takeFromBucket(buckets.get(key), spec, nowMs);
      buckets.delete(key);
      buckets.set(key, state);
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      return decision;
    },
  };
}

/** Options of {@link createToolRateLimiter}. */
export interface ToolRateLimitOptions extends TokenBucketSpec {
  /** @default createMemoryRateLimitStore() */
  store?: RateLimitStore;
  /** @default Date.now */
  now?: Clock;
}

/** Per-instance limiter of tool calls. */
export interface ToolRateLimiter {
  /** Takes one token from the bucket of `instanceId`. Store failures propagate (the caller decides). */
  take(instanceId: string): Promise<RateLimitDecision>;
}

function positive(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(option, 'must be a positive number');
  }
  return value;
}

/**
 * A token bucket per instance (key `tool-calls:<instanceId>`): `capacity` calls in a burst, then
 * `refillPerSecond` calls per second. Buckets of different instances are independent.
 *
 * @throws ConfigError when `capacity` is below 1 or `refillPerSecond` is not positive.
 * @example
 * ```ts
 * const limiter = createToolRateLimiter({ capacity: 30, refillPerSecond: 1 });
 * const { allowed, retryAfterMs } = await limiter.take(instance.instanceId);
 * ```
 */
export function createToolRateLimiter(options: ToolRateLimitOptions): ToolRateLimiter {
  const spec: TokenBucketSpec = {
    capacity: positive('rateLimit.capacity', options.capacity),
    refillPerSecond: positive('rateLimit.refillPerSecond', options.refillPerSecond),
  };
  if (spec.capacity < 1) throw new ConfigError('rateLimit.capacity', 'must be at least 1');
  const store = options.store ?? createMemoryRateLimitStore();
  const now = options.now ?? Date.now;
  return { take: (instanceId) => store.take(`tool-calls:${instanceId}`, spec, now()) };
}
