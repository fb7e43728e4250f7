import { RefreshError } from '../errors/index.js';
import type { InstanceRecord } from '../store/ports.js';
import type { BoundedMap } from './bounded-map.js';
import type { Breakers } from './breakers.js';
import type { TokenManagerDeps } from './options.js';
import type { Counters } from './stats.js';
import type { Throttle } from './throttle.js';

/** Everything the parts of one token manager share (internal). */
export interface ManagerContext {
  deps: TokenManagerDeps;
  breakers: Breakers;
  throttle: Throttle;
  counters: Counters;
  /** Instance records from recent database reads, so cache hits need no query. */
  instances: BoundedMap<InstanceRecord>;
}

/** Key of an instance's OAuth client: a provider's `Retry-After` applies to every instance using the client. */
export function clientKeyOf(instance: InstanceRecord): string {
  return `${instance.serviceName}:${instance.config.clientId ?? '*'}`;
}

/** A short name for error messages: the provider's display name when the service is enabled. */
export function displayName(context: ManagerContext, serviceName: string): string {
  return context.deps.flow.providers.get(serviceName)?.displayName ?? serviceName;
}

/** The "temporarily unavailable, retry after N s" error every refusal to refresh ends in. */
export function unavailableError(
  context: ManagerContext,
  serviceName: string,
  retryAfterMs: number,
  cause?: unknown,
): RefreshError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const upstream = cause instanceof RefreshError ? cause : undefined;
  return new RefreshError(
    'REFRESH_TRANSIENT',
    `Refreshing the ${displayName(context, serviceName)} token is temporarily unavailable, retry after ${seconds} s.`,
    {
      ...(cause !== undefined ? { cause } : {}),
      ...(upstream?.status !== undefined ? { status: upstream.status } : {}),
      ...(upstream?.providerError !== undefined ? { providerError: upstream.providerError } : {}),
      retryAfterMs: seconds * 1000,
    },
  );
}

/** Error fields safe for a log line (no message bodies from upstream). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { err: typeof error };
  const code = (error as { code?: unknown }).code;
  return { err: { name: error.name, ...(typeof code === 'string' ? { code } : {}) } };
}
