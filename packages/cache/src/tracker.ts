/** One read or write in flight for a key; `invalidated` flips when an invalidation hits that key meanwhile. */
export interface PendingOperation {
  readonly storeKey: string;
  invalidated: boolean;
}

/**
 * Remembers reads and writes in flight so an invalidation that lands while one awaits the shared store wins:
 * the operation then does not (re)fill the in-process LRU with what may be the invalidated value (internal).
 */
export class InvalidationTracker {
  readonly #pending = new Map<string, Set<PendingOperation>>();

  begin(storeKey: string): PendingOperation {
    const operation: PendingOperation = { storeKey, invalidated: false };
    const set = this.#pending.get(storeKey);
    if (set === undefined) this.#pending.set(storeKey, new Set([operation]));
    else set.add(operation);
    return operation;
  }

  /** Ends `operation`; `true` when it was invalidated while in flight. */
  end(operation: PendingOperation): boolean {
    const set = this.#pending.get(operation.storeKey);
    if (set !== undefined) {
      set.delete(operation);
      if (set.size === 0) this.#pending.delete(operation.storeKey);
    }
    return operation.invalidated;
  }

  markKey(storeKey: string): void {
    for (const operation of this.#pending.get(storeKey) ?? []) operation.invalidated = true;
  }

  markPrefix(prefix: string): void {
    for (const [storeKey, set] of this.#pending) {
      if (!storeKey.startsWith(prefix)) continue;
      for (const operation of set) operation.invalidated = true;
    }
  }
}
