/** At most one running promise per key; callers arriving meanwhile share it (internal). */
export interface SingleFlight<T> {
  /** Runs `fn` unless a call for `key` is already running, in which case its promise is returned. */
  run(key: string, fn: () => Promise<T>): Promise<T>;
  /** Whether a call for `key` is running. */
  has(key: string): boolean;
  /** Number of keys with a running call. */
  readonly size: number;
}

/** Creates a {@link SingleFlight}; `onJoin` counts callers that shared a running call. */
export function createSingleFlight<T>(onJoin: () => void = () => {}): SingleFlight<T> {
  const running = new Map<string, Promise<T>>();
  return {
    run(key, fn) {
      const current = running.get(key);
      if (current !== undefined) {
        onJoin();
        return current;
      }
      const started = (async () => {
        try {
          return await fn();
        } finally {
          running.delete(key);
        }
      })();
      running.set(key, started);
      return started;
    },
    has: (key) => running.has(key),
    get size() {
      return running.size;
    },
  };
}
