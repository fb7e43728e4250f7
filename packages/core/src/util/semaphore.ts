/** Gives a held permit back. Idempotent. */
export type Release = () => void;

/** A counting semaphore with FIFO waiters and an optional wait limit. */
export interface Semaphore {
  /**
   * Takes a permit, waiting at most `waitMs` (real time; `Infinity` waits forever, `0` does not wait).
   * @returns the release function, or `null` when no permit became free in time.
   */
  acquire(waitMs?: number): Promise<Release | null>;
  /** Permits currently held. */
  readonly held: number;
  /** Callers currently waiting. */
  readonly waiting: number;
}

interface Waiter {
  grant(release: Release): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A FIFO counting semaphore with `capacity` permits. Timed-out waiters leave the queue; a release hands the
 * permit straight to the next waiter, so a steady stream of newcomers cannot starve older waiters.
 *
 * @example
 * ```ts
 * const gate = createSemaphore(4);
 * const release = await gate.acquire();
 * try { await work(); } finally { release?.(); }
 * ```
 */
export function createSemaphore(capacity: number): Semaphore {
  let held = 0;
  const waiters: Waiter[] = [];

  const permit = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiters.shift();
      if (next === undefined) {
        held -= 1;
        return;
      }
      if (next.timer !== undefined) clearTimeout(next.timer);
      next.grant(permit());
    };
  };

  return {
    get held() {
      return held;
    },
    get waiting() {
      return waiters.length;
    },
    acquire(waitMs = Number.POSITIVE_INFINITY) {
      if (held < capacity && waiters.length === 0) {
        held += 1;
        return Promise.resolve(permit());
      }
      if (!(waitMs > 0)) return Promise.resolve(null);
      return new Promise<Release | null>((resolve) => {
        const waiter: Waiter = { grant: resolve, timer: undefined };
        if (Number.isFinite(waitMs)) {
          waiter.timer = setTimeout(() => {
            const index = waiters.indexOf(waiter);
            if (index >= 0) waiters.splice(index, 1);
            resolve(null);
          }, waitMs);
        }
        waiters.push(waiter);
      });
    },
  };
}

/** One {@link Semaphore} of capacity 1 per key; entries disappear when nobody holds or waits. */
export interface KeyedMutex {
  /** Locks `key`, waiting at most `waitMs`. @returns the release function, or `null` on timeout. */
  acquire(key: string, waitMs: number): Promise<Release | null>;
  /** Number of keys currently locked. */
  readonly size: number;
}

/**
 * An in-process mutex per key, built on {@link createSemaphore}.
 *
 * @example
 * ```ts
 * const locks = createKeyedMutex();
 * const release = await locks.acquire('refresh:42', 5_000);
 * if (release) try { await refresh(); } finally { release(); }
 * ```
 */
export function createKeyedMutex(): KeyedMutex {
  const entries = new Map<string, Semaphore>();
  return {
    get size() {
      return entries.size;
    },
    async acquire(key, waitMs) {
      let entry = entries.get(key);
      if (entry === undefined) {
        entry = createSemaphore(1);
        entries.set(key, entry);
      }
      const semaphore = entry;
      const release = await semaphore.acquire(waitMs);
      const forget = () => {
        if (semaphore.held === 0 && semaphore.waiting === 0 && entries.get(key) === semaphore) {
          entries.delete(key);
        }
      };
      if (release === null) {
        forget();
        return null;
      }
      return () => {
        release();
        forget();
      };
    },
  };
}
