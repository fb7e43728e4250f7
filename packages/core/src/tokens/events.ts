import { type Logger, silentLogger } from '../util/types.js';
import type { TokenEventName, TokenEvents } from './ports.js';

/** A listener of one token lifecycle event. A returned promise is awaited by nobody; its rejection is logged. */
export type TokenEventListener<E extends TokenEventName> = (event: TokenEvents[E]) => void | Promise<void>;

/** Subscribe side of the token lifecycle events (what hosts see as `tokenManager.events`). */
export interface TokenEventSource {
  /** Adds a listener; returns a function that removes it. */
  on<E extends TokenEventName>(name: E, listener: TokenEventListener<E>): () => void;
  /** Removes a listener added with {@link TokenEventSource.on}. */
  off<E extends TokenEventName>(name: E, listener: TokenEventListener<E>): void;
}

/**
 * A typed event bus for the token lifecycle. Share one between the token manager and the expiration monitor
 * so hosts subscribe in one place.
 */
export interface TokenEventBus extends TokenEventSource {
  /**
   * Calls every listener of `name` synchronously, in subscription order. A listener that throws (or whose
   * promise rejects) is logged and does not affect the others or the caller.
   */
  emit<E extends TokenEventName>(name: E, event: TokenEvents[E]): void;
}

type AnyListener = (event: never) => void | Promise<void>;

/**
 * Creates a {@link TokenEventBus}.
 * @example
 * ```ts
 * const events = createTokenEvents({ logger });
 * events.on('needs_reauth', ({ instanceId, reason }) => alert(instanceId, reason));
 * const tokens = createTokenManager({ flow, store, keyRing, events });
 * ```
 */
export function createTokenEvents(options: { logger?: Logger } = {}): TokenEventBus {
  const logger = options.logger ?? silentLogger;
  const listeners = new Map<TokenEventName, Set<AnyListener>>();

  const report = (name: TokenEventName, error: unknown): void => {
    logger.error(
      {
        event: name,
        err: error instanceof Error ? { name: error.name, message: error.message } : typeof error,
      },
      'token event listener failed',
    );
  };

  const bus: TokenEventBus = {
    on(name, listener) {
      let set = listeners.get(name);
      if (set === undefined) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener as AnyListener);
      return () => bus.off(name, listener);
    },
    off(name, listener) {
      listeners.get(name)?.delete(listener as AnyListener);
    },
    emit(name, event) {
      const set = listeners.get(name);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          const result = (listener as (value: typeof event) => unknown)(event);
          if (result instanceof Promise) result.catch((error: unknown) => report(name, error));
        } catch (error) {
          report(name, error);
        }
      }
    },
  };
  return bus;
}
