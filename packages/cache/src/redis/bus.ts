import { ConfigError, type Logger, silentLogger } from '@org/mcp-oauth-core';
import { type InvalidationBus, type InvalidationHandler, parseInvalidationMessage } from '../bus.js';
import { CacheError, unavailable } from '../errors.js';
import {
  connectionDefaults,
  createManagedRedisClient,
  type ManagedRedisClient,
  type RedisConnectionOptions,
} from './client.js';

/** Options of {@link createRedisInvalidationBus}. */
export interface RedisInvalidationBusOptions extends RedisConnectionOptions {
  /** Pub/sub channel; every replica of one deployment must use the same. */
  channel: string;
  /** @default silentLogger */
  logger?: Logger;
}

/** A Redis pub/sub {@link InvalidationBus} that can also wait for its connections. */
export interface RedisInvalidationBus extends InvalidationBus {
  /** Resolves when both the publishing and the subscribing connection are up. */
  whenReady(): Promise<void>;
}

/**
 * An {@link InvalidationBus} over Redis pub/sub: one connection publishes, a separate one subscribes. After the
 * subscriber reconnects it delivers `{kind: 'all'}` to the local handler (messages may have been lost while it
 * was down), so the cache drops its in-process entries rather than risk serving an invalidated token.
 *
 * @example
 * ```ts
 * const bus = createRedisInvalidationBus({ url: 'redis://127.0.0.1:6379', channel: 'mcp-oauth:invalidations' });
 * const cache = createTokenCache({ keyRing, store, invalidationBus: bus });
 * ```
 */
export function createRedisInvalidationBus(options: RedisInvalidationBusOptions): RedisInvalidationBus {
  const connection = connectionDefaults(options);
  assertChannel(options.channel);
  const logger = options.logger ?? silentLogger;
  const publisher = createManagedRedisClient({
    ...connection,
    role: 'cache-publisher',
    logger,
    offlineQueue: false,
  });
  return busOverClients({ publisher, ownsPublisher: true, connection, channel: options.channel, logger });
}

/** @throws ConfigError `channel` unless it is a non-empty string (internal). */
export function assertChannel(channel: unknown): asserts channel is string {
  if (typeof channel !== 'string' || channel.length === 0) {
    throw new ConfigError('channel', 'must be a non-empty string');
  }
}

/** The bus over an existing publishing connection plus its own subscriber (internal). */
export function busOverClients(parts: {
  publisher: ManagedRedisClient;
  ownsPublisher: boolean;
  connection: Required<RedisConnectionOptions>;
  channel: string;
  logger: Logger;
}): RedisInvalidationBus {
  const { publisher, channel, logger } = parts;
  assertChannel(channel);
  // The subscriber queues SUBSCRIBE while connecting; node-redis re-subscribes after every reconnect.
  const subscriber = createManagedRedisClient({
    ...parts.connection,
    role: 'cache-subscriber',
    logger,
    offlineQueue: true,
  });
  const handlers = new Set<InvalidationHandler>();
  let closed = false;
  let lost = false;

  const deliver = (raw: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const message = parseInvalidationMessage(parsed);
    if (message === undefined) {
      logger.warn({ channel }, 'ignored a malformed invalidation message');
      return;
    }
    for (const handler of handlers) handler(message);
  };
  subscriber.client.on('error', () => {
    lost = true;
  });
  subscriber.client.on('ready', () => {
    if (!lost || closed) return;
    lost = false;
    for (const handler of handlers) handler({ kind: 'all', origin: 'redis-bus-reconnect' });
  });

  return {
    async publish(message) {
      if (closed) throw new CacheError('CACHE_CLOSED', 'The invalidation bus is closed');
      await publisher.untilUsable();
      try {
        await publisher.client.publish(channel, JSON.stringify(message));
      } catch (error) {
        throw unavailable('publish', error);
      }
    },
    async subscribe(handler) {
      if (closed) throw new CacheError('CACHE_CLOSED', 'The invalidation bus is closed');
      const first = handlers.size === 0;
      handlers.add(handler);
      if (!first) return;
      try {
        await subscriber.client.subscribe(channel, deliver);
      } catch (error) {
        handlers.delete(handler);
        throw unavailable('subscribe', error);
      }
    },
    async whenReady() {
      await Promise.all([publisher.whenReady(), subscriber.whenReady()]);
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      await Promise.all([parts.ownsPublisher ? publisher.close() : undefined, subscriber.close()]);
    },
  };
}
