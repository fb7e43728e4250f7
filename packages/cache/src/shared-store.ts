import type { Keyv } from 'keyv';
import { isStoredEnvelope } from './envelope.js';
import { CacheError, unavailable } from './errors.js';
import type { StoredEnvelope, StoreHooks } from './types.js';

/** A value read from the shared store: an envelope, nothing, or something that is not an envelope. */
export type SharedRead = StoredEnvelope | undefined | 'malformed';

/** The shared layer as the cache uses it (internal). Every method throws `CACHE_UNAVAILABLE` on failure. */
export interface SharedStore {
  read(storeKey: string): Promise<SharedRead>;
  /** Writes unless a newer, unexpired version is stored; `false` when it was not written for that reason. */
  write(storeKey: string, envelope: StoredEnvelope, ttlMs: number, now: number): Promise<boolean>;
  /** `true` when the key existed. */
  remove(storeKey: string): Promise<boolean>;
  /** Store keys starting with `prefix`. @throws CacheError `CACHE_UNSUPPORTED` when the store can't list. */
  scan(prefix: string): AsyncIterable<string>;
  ping(): Promise<void>;
}

type KeyIterator = (argument?: unknown) => AsyncGenerator<unknown, void>;

/** Wraps a keyv instance (and optional {@link StoreHooks}) into a {@link SharedStore}. */
export function createSharedStore(keyv: Keyv, hooks: StoreHooks, pingKey: string): SharedStore {
  const before = (): Promise<void> | undefined => hooks.beforeOperation?.();

  async function read(storeKey: string): Promise<SharedRead> {
    await before();
    let value: unknown;
    try {
      value = await keyv.get<unknown>(storeKey);
    } catch (error) {
      // keyv deserializes outside its store call: a SyntaxError is a corrupt value, not a store failure.
      if (error instanceof SyntaxError) return 'malformed';
      throw unavailable('get', error);
    }
    if (value === undefined || value === null) return undefined;
    return isStoredEnvelope(value) ? value : 'malformed';
  }

  async function* scanMap(map: Map<unknown, unknown>, prefix: string): AsyncIterable<string> {
    const namespacePrefix = keyv.useKeyPrefix && keyv.namespace ? `${keyv.namespace}:` : '';
    for (const raw of [...map.keys()]) {
      if (typeof raw !== 'string' || !raw.startsWith(namespacePrefix)) continue;
      const key = raw.slice(namespacePrefix.length);
      if (key.startsWith(prefix)) yield key;
    }
  }

  async function* scanWithIterator(prefix: string): AsyncIterable<string> {
    // Read keys of an in-memory Map directly: keyv's iterator would deserialize (and choke on) every value.
    if (keyv.store instanceof Map) {
      yield* scanMap(keyv.store, prefix);
      return;
    }
    const iterator = (keyv as { iterator?: KeyIterator }).iterator;
    if (typeof iterator !== 'function') {
      throw new CacheError('CACHE_UNSUPPORTED', 'The cache store cannot list its keys');
    }
    try {
      for await (const item of iterator.call(keyv)) {
        const key = Array.isArray(item) ? item[0] : undefined;
        if (typeof key === 'string' && key.startsWith(prefix)) yield key;
      }
    } catch (error) {
      throw unavailable('scan', error);
    }
  }

  return {
    read,

    async write(storeKey, envelope, ttlMs, now) {
      await before();
      if (hooks.setIfNotOlder !== undefined) {
        try {
          return await hooks.setIfNotOlder(storeKey, envelope, ttlMs);
        } catch (error) {
          throw unavailable('set', error);
        }
      }
      const current = await read(storeKey);
      if (typeof current === 'object' && current.version > envelope.version && current.storedUntil > now) {
        return false;
      }
      let stored: boolean;
      try {
        stored = await keyv.set(storeKey, envelope, ttlMs);
      } catch (error) {
        throw unavailable('set', error);
      }
      if (stored !== true) {
        throw new CacheError('CACHE_UNAVAILABLE', 'Shared cache store did not store the entry');
      }
      return true;
    },

    async remove(storeKey) {
      await before();
      try {
        return await keyv.delete(storeKey);
      } catch (error) {
        throw unavailable('delete', error);
      }
    },

    scan(prefix) {
      if (hooks.scanKeys === undefined) return scanWithIterator(prefix);
      const scanKeys = hooks.scanKeys;
      return (async function* () {
        await before();
        try {
          yield* scanKeys(prefix);
        } catch (error) {
          throw unavailable('scan', error);
        }
      })();
    },

    async ping() {
      await before();
      if (hooks.ping !== undefined) {
        try {
          await hooks.ping();
        } catch (error) {
          throw unavailable('ping', error);
        }
        return;
      }
      await read(pingKey);
    },
  };
}
