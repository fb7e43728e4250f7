import type { Store } from '../../../src/store/ports.js';

/** A store proxy that counts every port call (every call is at least one database query). */
export interface CountingStore {
  store: Store;
  /** Calls so far, as `port.method` names. */
  readonly calls: string[];
  reset(): void;
}

const PORTS = [
  'services',
  'instances',
  'credentials',
  'states',
  'apiKeys',
  'audit',
  'monitor',
  'locks',
] as const;

function counted<T extends object>(target: T, port: string, calls: string[]): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${port}.${String(property)}`);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/** Wraps `store` so every call through it is recorded. */
export function countingStore(store: Store): CountingStore {
  const calls: string[] = [];
  const wrapped = { ...store } as Store;
  for (const port of PORTS) {
    (wrapped as unknown as Record<string, object>)[port] = counted(store[port] as object, port, calls);
  }
  wrapped.transaction = (fn) => {
    calls.push('transaction');
    return store.transaction(fn);
  };
  wrapped.ping = () => {
    calls.push('ping');
    return store.ping();
  };
  return {
    store: wrapped,
    calls,
    reset() {
      calls.length = 0;
    },
  };
}
