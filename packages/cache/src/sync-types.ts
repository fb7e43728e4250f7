import type { CacheKey, InstanceStatus } from '@org/mcp-oauth-core';
import type { CacheEntry } from './types.js';

/** What the database says about one instance, as returned by a {@link SyncLoader}. */
export interface SyncSnapshot {
  /** Current credential row version. */
  version: number;
  /** Current instance status. */
  status: InstanceStatus;
  /** The fresh entry, when the loader can build it cheaply; without it a divergent entry is evicted. */
  entry?: CacheEntry;
}

/**
 * Reads the database state of `keys` (one call per batch). The map is keyed by instance id; an instance absent
 * from it no longer exists (its entry is evicted).
 */
export type SyncLoader = (keys: readonly CacheKey[]) => Promise<ReadonlyMap<string, SyncSnapshot>>;

/** Options of {@link TokenCache.startSync}. */
export interface SyncOptions {
  /** Time between two synchronisations. @default 300_000 */
  intervalMs?: number;
  /** Reads the database state of a batch of cached instances. */
  load: SyncLoader;
  /** Keys per `load` call. @default 100 */
  batchSize?: number;
}

/** Why a cached entry disagreed with the database, and what the sync did about it. */
export interface SyncDivergence {
  serviceName: string;
  instanceId: string;
  /** `deleted`: gone from the database; `status`: status changed; `version`: credential changed. */
  cause: 'deleted' | 'status' | 'version';
  /** `evicted` everywhere, or `refreshed` with the loader's entry. */
  action: 'evicted' | 'refreshed';
}

/** Result of one synchronisation. */
export interface SyncReport {
  /** In-process entries compared with the database. */
  checked: number;
  /** Divergences repaired (evicted or refreshed). */
  repaired: number;
  divergences: SyncDivergence[];
  /** Batches whose `load` or repair failed (logged; retried at the next run). */
  failedBatches: number;
}

/** A running background synchronisation. */
export interface SyncHandle {
  /** Runs one synchronisation now (waits for a run already in progress instead of overlapping it). */
  syncNow(): Promise<SyncReport>;
  /** Stops the timer; a run in progress finishes. */
  stop(): void;
}

/** One entry to put in the cache at start-up. */
export interface WarmUpItem {
  key: CacheKey;
  entry: CacheEntry;
}

/** Yields the entries to warm the cache with (e.g. active instances, newest first, up to the LRU size). */
export type WarmUpLoader = () =>
  | AsyncIterable<WarmUpItem>
  | Iterable<WarmUpItem>
  | Promise<Iterable<WarmUpItem> | AsyncIterable<WarmUpItem>>;

/** Result of a warm-up. */
export interface WarmUpReport {
  /** Entries stored. */
  loaded: number;
  /** Entries whose `set` failed. */
  failed: number;
  /** `false` when the loader itself threw (logged) or the cache closed before the end. */
  completed: boolean;
}

/** A warm-up running in the background. */
export interface WarmUpHandle {
  /** Settles when the warm-up ends; never rejects. */
  done: Promise<WarmUpReport>;
}
