import type { CredentialRecord } from '../store/ports.js';
import type { Clock } from '../util/types.js';
import type { BackoffOptions } from './options.js';

/** Per-instance and per-client gates in front of upstream refresh calls (internal). */
export interface Throttle {
  /**
   * Milliseconds until an upstream refresh of this instance may start (0: now). Takes the largest of: the
   * persisted backoff (`updatedAt` of the last failed attempt + half the exponential delay of
   * `refreshAttempts`, so every replica agrees without talking), this process's jittered backoff for the
   * instance, and a `Retry-After` the provider sent for the instance's OAuth client.
   */
  waitMs(instanceId: string, clientKey: string, credential: CredentialRecord): number;
  /**
   * Records a transient failure that brought the instance to `attempts` consecutive failures; returns how long
   * to wait before the next attempt. A `retryAfterMs` from the provider also gates the whole OAuth client.
   */
  failed(instanceId: string, clientKey: string, attempts: number, retryAfterMs: number | undefined): number;
  /** Forgets the instance's backoff after a success. */
  succeeded(instanceId: string): void;
}

/** The exponential delay of `attempts` consecutive failures, before jitter. */
export function backoffDelay(backoff: Required<BackoffOptions>, attempts: number): number {
  if (attempts < 1) return 0;
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempts - 1, 40));
}

/** Creates the throttle. Jitter is "equal jitter": half the delay fixed, half random. */
export function createThrottle(input: {
  now: Clock;
  random: () => number;
  backoff: Required<BackoffOptions>;
}): Throttle {
  const instanceGates = new Map<string, number>();
  const clientGates = new Map<string, number>();

  const gate = (gates: Map<string, number>, key: string, now: number): number => {
    const until = gates.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      gates.delete(key);
      return 0;
    }
    return until - now;
  };

  return {
    waitMs(instanceId, clientKey, credential) {
      const now = input.now();
      const persisted =
        credential.refreshAttempts > 0
          ? credential.updatedAt.getTime() + backoffDelay(input.backoff, credential.refreshAttempts) / 2 - now
          : 0;
      return Math.max(
        0,
        Math.ceil(persisted),
        gate(instanceGates, instanceId, now),
        gate(clientGates, clientKey, now),
      );
    },
    failed(instanceId, clientKey, attempts, retryAfterMs) {
      const now = input.now();
      const delay = backoffDelay(input.backoff, attempts);
      const jittered = Math.ceil(delay / 2 + (Math.min(Math.max(input.random(), 0), 1) * delay) / 2);
      const wait = Math.max(jittered, retryAfterMs ?? 0);
      instanceGates.set(instanceId, now + wait);
      if (retryAfterMs !== undefined && retryAfterMs > 0) {
        clientGates.set(clientKey, Math.max(clientGates.get(clientKey) ?? 0, now + retryAfterMs));
      }
      return wait;
    },
    succeeded(instanceId) {
      instanceGates.delete(instanceId);
    },
  };
}
