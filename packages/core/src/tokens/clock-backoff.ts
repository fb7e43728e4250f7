import type { IBackoff, IBackoffFactory, IHalfOpenAfterBackoffContext } from 'cockatiel';
import type { Clock } from '../util/types.js';

/** One open period of a breaker, measured on the injected clock. */
export interface OpenPeriod {
  /** `now()` when the breaker opened. */
  openedAt: number;
  /** When it lets a probe through. */
  halfOpenAt: number;
}

class ClockBackoff implements IBackoff<IHalfOpenAfterBackoffContext> {
  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly onOpen: (period: OpenPeriod) => void,
    readonly period: OpenPeriod,
  ) {}

  /**
   * cockatiel keeps a breaker open while `Date.now() - openedAt < duration`. Answering ±Infinity from the
   * injected clock makes that comparison follow our clock instead of the wall clock.
   */
  get duration(): number {
    return this.clock() < this.period.halfOpenAt ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  next(): IBackoff<IHalfOpenAfterBackoffContext> {
    return openedNow(this.clock, this.delayMs, this.onOpen);
  }
}

function openedNow(clock: Clock, delayMs: number, onOpen: (period: OpenPeriod) => void): ClockBackoff {
  const openedAt = clock();
  const period = { openedAt, halfOpenAt: openedAt + delayMs };
  onOpen(period);
  return new ClockBackoff(clock, delayMs, onOpen, period);
}

/**
 * A `halfOpenAfter` for cockatiel's `circuitBreaker` driven by an injected clock (cockatiel itself reads
 * `Date.now()`). cockatiel asks the factory for a backoff exactly when the breaker opens (also when a failed
 * probe re-opens it), so `onOpen` learns every open period.
 */
export function clockHalfOpenAfter(
  clock: Clock,
  delayMs: number,
  onOpen: (period: OpenPeriod) => void,
): IBackoffFactory<IHalfOpenAfterBackoffContext> {
  return { next: () => openedNow(clock, delayMs, onOpen) };
}
