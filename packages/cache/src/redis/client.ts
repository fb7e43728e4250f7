import { ConfigError, type Logger } from '@org/mcp-oauth-core';
import { createClient } from '@redis/client';
import { positiveInteger } from '../options.js';

function newClient(options: {
  url: string;
  disableOfflineQueue: boolean;
  commandOptions: { timeout: number };
  socket: { connectTimeout: number; reconnectStrategy: (retries: number) => number };
}) {
  return createClient(options);
}

/** A node-redis client as created by {@link createManagedRedisClient} (RESP2, no modules). */
export type ManagedClient = ReturnType<typeof newClient>;

/** Connection settings shared by every Redis client this package creates. */
export interface RedisConnectionOptions {
  /** `redis[s]://[[user][:password]@]host[:port][/db]`. Never logged. */
  url: string;
  /** Time to open a TCP connection (ms). @default 2_000 */
  connectTimeoutMs?: number;
  /** Time a command may take before it fails with `CACHE_UNAVAILABLE` (ms). @default 2_000 */
  commandTimeoutMs?: number;
  /** Longest wait between two reconnection attempts (ms); attempts never stop. @default 2_000 */
  reconnectMaxDelayMs?: number;
}

/** A client plus what the package needs around it (internal). */
export interface ManagedRedisClient {
  readonly client: ManagedClient;
  /** Resolves when the client is connected (at once if it is). */
  whenReady(): Promise<void>;
  /**
   * `undefined` once a command can be sent meaningfully; during the very first connection attempt, a promise
   * that settles on the first `ready` or `error` (or after `connectTimeoutMs`), so a cache created a moment ago
   * does not fail its first calls, while a server that is down still fails them fast.
   */
  untilUsable(): Promise<void> | undefined;
  /** Closes the connection (gracefully when connected, at once otherwise). Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates and starts connecting a client that never crashes the process: `error` events are handled (and
 * logged without the URL), reconnection never gives up (jittered backoff up to `reconnectMaxDelayMs`).
 * With `offlineQueue: false` a command issued while disconnected fails at once instead of waiting.
 */
export function createManagedRedisClient(
  options: Required<RedisConnectionOptions> & { role: string; logger: Logger; offlineQueue: boolean },
): ManagedRedisClient {
  const { logger, role } = options;
  const client = newClient({
    url: options.url,
    disableOfflineQueue: !options.offlineQueue,
    commandOptions: { timeout: options.commandTimeoutMs },
    socket: {
      connectTimeout: options.connectTimeoutMs,
      reconnectStrategy: (retries: number) =>
        Math.min(50 * 2 ** Math.min(retries, 10), options.reconnectMaxDelayMs) +
        Math.floor(Math.random() * 50),
    },
  });
  let reported = false;
  let settled = false;
  let initial: Promise<void> | undefined;
  client.on('error', (error: unknown) => {
    settled = true;
    if (reported) return;
    reported = true;
    const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
    logger.warn({ role, err: name, code }, 'redis connection lost; reconnecting');
  });
  client.on('ready', () => {
    settled = true;
    if (reported) logger.info({ role }, 'redis connection restored');
    reported = false;
  });
  client.connect().catch((error: unknown) => {
    logger.debug({ role, err: (error as Error)?.name }, 'redis connect ended');
  });
  let closed = false;
  return {
    client,
    whenReady() {
      if (client.isReady) return Promise.resolve();
      return new Promise((resolve) => client.once('ready', () => resolve()));
    },
    untilUsable() {
      if (settled || client.isReady) return undefined;
      initial ??= new Promise<void>((resolve) => {
        const timer = setTimeout(done, options.connectTimeoutMs);
        timer.unref();
        function done(): void {
          clearTimeout(timer);
          client.off('ready', done);
          client.off('error', done);
          resolve();
        }
        client.once('ready', done);
        client.once('error', done);
      });
      return initial;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (client.isReady) await client.close();
        else client.destroy();
      } catch {
        // Already closed.
      }
    },
  };
}

/** Validates the connection options and applies defaults (internal). @throws ConfigError naming the option. */
export function connectionDefaults(options: RedisConnectionOptions): Required<RedisConnectionOptions> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
    throw new ConfigError('url', 'must be a redis:// or rediss:// URL');
  }
  return {
    url: options.url,
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs, 2_000),
    commandTimeoutMs: positiveInteger('commandTimeoutMs', options.commandTimeoutMs, 2_000),
    reconnectMaxDelayMs: positiveInteger('reconnectMaxDelayMs', options.reconnectMaxDelayMs, 2_000),
  };
}
