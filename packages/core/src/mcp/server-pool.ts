import type { ReusableServer } from './build-server.js';

/** Who a pooled server was built for: a server is only ever handed back for exactly the same triple. */
export interface PoolOwner {
  instanceId: string;
  keyId: string;
  /** Everything that selects the server's tools, resources and prompts (provider, config, granted scopes). */
  selection: string;
}

/**
 * Idle stateless servers, so a busy client does not pay for building an `McpServer` with all its tools on
 * every request (internal). A server is checked out by one request at a time and only for the instance, API
 * key and tool selection it was built for — never shared across instances or keys. Bounded in total; the
 * least recently returned owner loses its servers first.
 */
export interface ServerPool {
  /** An idle server of `owner`, removed from the pool; `undefined` when there is none. */
  take(owner: PoolOwner): ReusableServer | undefined;
  /** Returns a disconnected server of `owner` to the pool (dropped when the pool is closed or full). */
  give(owner: PoolOwner, server: ReusableServer): void;
  /** Drops the idle servers of an instance, of a key, or of both (a deleted instance or key). */
  drop(filter: { instanceId?: string; keyId?: string }): void;
  /** Drops every idle server; later `give`s are dropped too. */
  close(): void;
  /** Idle servers held. */
  readonly size: number;
}

interface Slot {
  owner: PoolOwner;
  idle: ReusableServer[];
}

function keyOf(owner: PoolOwner): string {
  return `${owner.instanceId.toLowerCase()}\u0000${owner.keyId.toLowerCase()}\u0000${owner.selection}`;
}

/** Creates a {@link ServerPool} holding at most `maxIdle` servers, at most `maxIdlePerOwner` per owner. */
export function createServerPool(options: { maxIdle: number; maxIdlePerOwner: number }): ServerPool {
  const slots = new Map<string, Slot>();
  let size = 0;
  let closed = false;

  function evictOldest(): void {
    for (const [key, slot] of slots) {
      slot.idle.shift();
      size--;
      if (slot.idle.length === 0) slots.delete(key);
      return;
    }
  }

  return {
    take(owner) {
      const key = keyOf(owner);
      const slot = slots.get(key);
      const server = slot?.idle.pop();
      if (server === undefined) return undefined;
      size--;
      if (slot !== undefined && slot.idle.length === 0) slots.delete(key);
      return server;
    },
    give(owner, server) {
      if (closed) return;
      const key = keyOf(owner);
      const slot = slots.get(key) ?? { owner, idle: [] };
      if (slot.idle.length >= options.maxIdlePerOwner) return;
      // Re-inserted last: the map's order is the order owners were last served in.
      slots.delete(key);
      slot.idle.push(server);
      slots.set(key, slot);
      size++;
      while (size > options.maxIdle) evictOldest();
    },
    drop(filter) {
      const instanceId = filter.instanceId?.toLowerCase();
      const keyId = filter.keyId?.toLowerCase();
      if (instanceId === undefined && keyId === undefined) return;
      for (const [key, slot] of slots) {
        if (instanceId !== undefined && slot.owner.instanceId.toLowerCase() !== instanceId) continue;
        if (keyId !== undefined && slot.owner.keyId.toLowerCase() !== keyId) continue;
        size -= slot.idle.length;
        slots.delete(key);
      }
    },
    close() {
      closed = true;
      slots.clear();
      size = 0;
    },
    get size() {
      return size;
    },
  };
}
