import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import { RefreshError } from '../errors/index.js';
import type { Clock, Logger } from '../util/types.js';
import { clockHalfOpenAfter, type OpenPeriod } from './clock-backoff.js';
import type { TokenEventBus } from './events.js';
import type { BreakerOptions } from './options.js';

/** State of one breaker as reported by `status()` and `stats()`. */
export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

/** Raised instead of calling upstream while a breaker is open. */
export class BreakerOpen extends Error {
  constructor(
    readonly scope: 'provider' | 'instance',
    readonly retryAfterMs: number,
  ) {
    super(`The ${scope} circuit breaker is open.`);
    this.name = 'BreakerOpen';
  }
}

/** Only transient refresh failures count toward a breaker; terminal ones never trip it. */
const countsAsFailure = (error: Error): boolean =>
  error instanceof RefreshError && error.code === 'REFRESH_TRANSIENT';

interface Entry {
  policy: CircuitBreakerPolicy;
  /** Consecutive failures so far (cockatiel's breaker state, public by its `IBreaker` contract). */
  counter: ConsecutiveBreaker;
  /** The current open period; `undefined` while closed. */
  period: OpenPeriod | undefined;
}

/** Provider and instance breakers of one token manager (internal). */
export interface Breakers {
  /**
   * Runs `fn` behind the provider breaker of `serviceName` and the instance breaker of `instanceId`.
   * @throws BreakerOpen without calling `fn` while either is open.
   */
  run<T>(serviceName: string, instanceId: string, fn: () => Promise<T>): Promise<T>;
  providerState(serviceName: string): { state: BreakerState; retryAfterMs: number };
  instanceState(instanceId: string): { state: BreakerState; retryAfterMs: number };
  /** Provider breaker states, by service name. */
  providers(): Record<string, BreakerState>;
  /** Number of instance breakers currently not closed. */
  openInstances(): number;
}

function stateOf(policy: CircuitBreakerPolicy): BreakerState {
  switch (policy.state) {
    case CircuitState.Open:
      return 'open';
    case CircuitState.HalfOpen:
      return 'half_open';
    case CircuitState.Isolated:
      return 'isolated';
    default:
      return 'closed';
  }
}

/** Creates the breaker registry: one breaker per provider, one per instance (dropped again once healthy). */
export function createBreakers(input: {
  now: Clock;
  logger: Logger;
  events: TokenEventBus;
  provider: Required<BreakerOptions>;
  instance: Required<BreakerOptions>;
}): Breakers {
  const providers = new Map<string, Entry>();
  const instances = new Map<string, Entry>();

  function create(
    options: Required<BreakerOptions>,
    scope: 'provider' | 'instance',
    serviceName: string,
    instanceId?: string,
  ): Entry {
    const holder: { period: OpenPeriod | undefined } = { period: undefined };
    const counter = new ConsecutiveBreaker(options.consecutiveFailures);
    const policy = circuitBreaker(handleWhen(countsAsFailure), {
      breaker: counter,
      halfOpenAfter: clockHalfOpenAfter(input.now, options.halfOpenAfterMs, (period) => {
        holder.period = period;
      }),
    });
    const entry: Entry = {
      policy,
      counter,
      get period() {
        return holder.period;
      },
      set period(value) {
        holder.period = value;
      },
    };
    const subject = { serviceName, scope, ...(instanceId !== undefined ? { instanceId } : {}) };
    entry.policy.onBreak(() => {
      input.logger.warn({ ...subject, halfOpenAfterMs: options.halfOpenAfterMs }, 'refresh breaker opened');
      input.events.emit('breaker_open', subject);
    });
    entry.policy.onHalfOpen(() => input.logger.info(subject, 'refresh breaker half-open: probing'));
    entry.policy.onReset(() => {
      entry.period = undefined;
      input.logger.info(subject, 'refresh breaker closed');
      input.events.emit('breaker_closed', subject);
    });
    return entry;
  }

  function remaining(entry: Entry | undefined): number {
    if (entry === undefined || entry.policy.state !== CircuitState.Open || entry.period === undefined)
      return 0;
    return Math.max(0, entry.period.halfOpenAt - input.now());
  }

  function report(entry: Entry | undefined): { state: BreakerState; retryAfterMs: number } {
    return entry === undefined
      ? { state: 'closed', retryAfterMs: 0 }
      : { state: stateOf(entry.policy), retryAfterMs: remaining(entry) };
  }

  return {
    async run(serviceName, instanceId, fn) {
      let provider = providers.get(serviceName);
      if (provider === undefined) {
        provider = create(input.provider, 'provider', serviceName);
        providers.set(serviceName, provider);
      }
      let instance = instances.get(instanceId);
      if (instance === undefined) {
        instance = create(input.instance, 'instance', serviceName, instanceId);
        instances.set(instanceId, instance);
      }
      const providerWait = remaining(provider);
      if (providerWait > 0) throw new BreakerOpen('provider', providerWait);
      const instanceWait = remaining(instance);
      if (instanceWait > 0) throw new BreakerOpen('instance', instanceWait);
      const current = instance;
      try {
        return await provider.policy.execute(() => current.policy.execute(fn));
      } catch (error) {
        // Opened by a concurrent caller between the check above and execute().
        if (error instanceof BrokenCircuitError) {
          const scope = remaining(provider) > 0 ? 'provider' : 'instance';
          throw new BreakerOpen(scope, Math.max(remaining(provider), remaining(current), 1));
        }
        throw error;
      } finally {
        // Healthy again: forget the instance's breaker so the map only holds failing instances.
        if (current.policy.state === CircuitState.Closed && current.counter.state === 0)
          instances.delete(instanceId);
      }
    },
    providerState: (serviceName) => report(providers.get(serviceName)),
    instanceState: (instanceId) => report(instances.get(instanceId)),
    providers() {
      const out: Record<string, BreakerState> = {};
      for (const [name, entry] of providers) out[name] = stateOf(entry.policy);
      return out;
    },
    openInstances() {
      let open = 0;
      for (const entry of instances.values()) if (entry.policy.state !== CircuitState.Closed) open++;
      return open;
    },
  };
}
