import type { CacheKey } from '@org/mcp-oauth-core';

/**
 * An invalidation sent to every replica. Carries no secret: service names, instance ids and the sender's id.
 * `all` is also delivered locally by a bus that reconnected (messages may have been missed meanwhile).
 */
export type InvalidationMessage =
  | { kind: 'instances'; origin: string; instances: CacheKey[] }
  | { kind: 'service'; origin: string; serviceName: string }
  | { kind: 'all'; origin: string }
  /**
   * An instance (`keyId: null`) or one of its API keys was deleted. No cached token changes; it tells the
   * other replicas to end what they hold for it (remembered API keys, MCP sessions). See `announceRevocation`.
   */
  | { kind: 'revoked'; origin: string; instanceId: string; keyId: string | null };

/** Receives invalidation messages (from other replicas and possibly this one; the cache filters `origin`). */
export type InvalidationHandler = (message: InvalidationMessage) => void;

/**
 * Carries invalidations between replicas. The publisher has already updated the shared store; a receiver only
 * evicts its in-process LRU. Redis pub/sub implements it in `@org/mcp-oauth-cache/redis`.
 */
export interface InvalidationBus {
  /** Sends `message` to every subscriber. @throws CacheError `CACHE_UNAVAILABLE` when the transport fails. */
  publish(message: InvalidationMessage): Promise<void>;
  /** Registers `handler`; resolves once messages published afterwards will be received. */
  subscribe(handler: InvalidationHandler): Promise<void>;
  /** Stops delivering and releases connections. */
  close(): Promise<void>;
}

/** A bus for a single replica: publishing goes nowhere. The default of `createTokenCache`. */
export function createNoopInvalidationBus(): InvalidationBus {
  return {
    async publish() {},
    async subscribe() {},
    async close() {},
  };
}

/** Hands out buses connected in memory, e.g. to run two caches as two "replicas" in one test process. */
export interface LocalInvalidationHub {
  /** A new bus on this hub; a message published on any bus reaches every subscribed bus. */
  bus(): InvalidationBus;
}

/**
 * An in-process hub of invalidation buses (delivery is synchronous, in publish order).
 *
 * @example
 * ```ts
 * const hub = createLocalInvalidationHub();
 * const a = createTokenCache({ keyRing, store, invalidationBus: hub.bus() });
 * const b = createTokenCache({ keyRing, store, invalidationBus: hub.bus() });
 * ```
 */
export function createLocalInvalidationHub(): LocalInvalidationHub {
  const handlers = new Set<InvalidationHandler>();
  return {
    bus() {
      const mine = new Set<InvalidationHandler>();
      return {
        async publish(message) {
          for (const handler of [...handlers]) handler(structuredClone(message));
        },
        async subscribe(handler) {
          mine.add(handler);
          handlers.add(handler);
        },
        async close() {
          for (const handler of mine) handlers.delete(handler);
          mine.clear();
        },
      };
    },
  };
}

function isCacheKey(value: unknown): value is CacheKey {
  if (typeof value !== 'object' || value === null) return false;
  const { serviceName, instanceId } = value as Record<string, unknown>;
  return typeof serviceName === 'string' && typeof instanceId === 'string';
}

/** Validates a message received from a transport; `undefined` when it is not an {@link InvalidationMessage}. */
export function parseInvalidationMessage(value: unknown): InvalidationMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.origin !== 'string') return undefined;
  switch (record.kind) {
    case 'instances':
      if (!Array.isArray(record.instances) || !record.instances.every(isCacheKey)) return undefined;
      return {
        kind: 'instances',
        origin: record.origin,
        instances: record.instances.map((k) => ({ serviceName: k.serviceName, instanceId: k.instanceId })),
      };
    case 'service':
      if (typeof record.serviceName !== 'string') return undefined;
      return { kind: 'service', origin: record.origin, serviceName: record.serviceName };
    case 'all':
      return { kind: 'all', origin: record.origin };
    case 'revoked':
      if (typeof record.instanceId !== 'string') return undefined;
      if (record.keyId !== null && typeof record.keyId !== 'string') return undefined;
      return { kind: 'revoked', origin: record.origin, instanceId: record.instanceId, keyId: record.keyId };
    default:
      return undefined;
  }
}
