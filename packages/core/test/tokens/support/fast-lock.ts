import type { DistributedLock, HeldLock } from '../../../src/tokens/ports.js';

/** An in-memory {@link DistributedLock} shared by "replicas", recording what happened. */
export interface MemoryLock extends DistributedLock {
  readonly acquired: string[];
  readonly released: string[];
  /** `acquire` throws while set (Redis down). */
  failing: boolean;
  /** `acquire` answers `null` while set (another holder for the whole wait). */
  busy: boolean;
}

/** Creates a {@link MemoryLock}. Contended acquisitions wait in line (no expiry: tests release properly). */
export function createMemoryLock(): MemoryLock {
  const tails = new Map<string, Promise<void>>();
  const lock: MemoryLock = {
    acquired: [],
    released: [],
    failing: false,
    busy: false,
    async acquire(key) {
      if (lock.failing) throw new Error('redis down');
      if (lock.busy) return null;
      const previous = tails.get(key) ?? Promise.resolve();
      let release = () => {};
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      tails.set(
        key,
        previous.then(() => mine),
      );
      await previous;
      lock.acquired.push(key);
      let done = false;
      const held: HeldLock = {
        async release() {
          if (done) return;
          done = true;
          lock.released.push(key);
          release();
        },
      };
      return held;
    },
  };
  return lock;
}
