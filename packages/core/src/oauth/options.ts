import type { KeyRing } from '../crypto/types.js';
import { ConfigError } from '../errors/index.js';
import type { ClientCredentials, ProviderDefinition } from '../provider/types.js';
import type { Store } from '../store/ports.js';
import { type Clock, type FetchLike, type Logger, silentLogger } from '../util/types.js';

/** Options of {@link createOAuthFlow}. */
export interface OAuthFlowOptions {
  store: Store;
  keyRing: KeyRing;
  /** Providers the host enables; their ids are the service names. */
  providers: readonly ProviderDefinition[];
  /** The host's OAuth client per service name; instances may bring their own instead. */
  defaultClients?: Readonly<Record<string, ClientCredentials>>;
  /** Absolute callback URL registered with the provider, per service. */
  callbackUrl(serviceName: string): string;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** @default Date.now */
  now?: Clock;
  logger?: Logger;
  /** Lifetime of an authorization state. @default 600_000 (10 minutes) */
  stateTtlMs?: number;
  /** Refresh access tokens that expire within this margin. @default 300_000 (5 minutes) */
  refreshMarginMs?: number;
  /** Timeout of each upstream request. @default 15_000 */
  upstreamTimeoutMs?: number;
  /** Allow `http://` upstream endpoints (test fakes, loopback only). @default false */
  allowInsecureRequests?: boolean;
}

/** Validated options with defaults applied (internal). */
export interface FlowDeps {
  store: Store;
  keyRing: KeyRing;
  providers: ReadonlyMap<string, ProviderDefinition>;
  defaultClients: Readonly<Record<string, ClientCredentials>>;
  callbackUrl(serviceName: string): string;
  fetch: FetchLike;
  now: Clock;
  logger: Logger;
  stateTtlMs: number;
  refreshMarginMs: number;
  upstreamTimeoutMs: number;
  allowInsecureRequests: boolean;
}

const SERVICE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

function positive(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(option, 'must be a positive number of milliseconds');
  return value;
}

function checkUrl(option: string, value: string, allowInsecure: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(option, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:')) {
    throw new ConfigError(option, 'must use https (http only with allowInsecureRequests)');
  }
}

/** Validates {@link OAuthFlowOptions} once and applies defaults. @throws ConfigError naming the bad option. */
export function resolveFlowOptions(options: OAuthFlowOptions): FlowDeps {
  if (!options.store) throw new ConfigError('store', 'is required');
  if (!options.keyRing) throw new ConfigError('keyRing', 'is required');
  if (typeof options.callbackUrl !== 'function') throw new ConfigError('callbackUrl', 'must be a function');
  const allowInsecure = options.allowInsecureRequests ?? false;
  const providers = new Map<string, ProviderDefinition>();
  for (const [index, provider] of options.providers.entries()) {
    const at = `providers[${index}]`;
    if (!SERVICE_NAME.test(provider.id))
      throw new ConfigError(`${at}.id`, 'must match /^[a-z][a-z0-9_-]{0,63}$/');
    if (providers.has(provider.id)) throw new ConfigError(`${at}.id`, `duplicate provider "${provider.id}"`);
    checkUrl(`${at}.endpoints.authorization`, provider.endpoints.authorization, allowInsecure);
    checkUrl(`${at}.endpoints.token`, provider.endpoints.token, allowInsecure);
    checkUrl(`${at}.endpoints.api`, provider.endpoints.api, allowInsecure);
    if (provider.endpoints.revocation)
      checkUrl(`${at}.endpoints.revocation`, provider.endpoints.revocation, allowInsecure);
    providers.set(provider.id, provider);
  }
  const defaultClients = options.defaultClients ?? {};
  for (const [service, client] of Object.entries(defaultClients)) {
    if (!client.clientId || !client.clientSecret) {
      throw new ConfigError(`defaultClients.${service}`, 'needs both clientId and clientSecret');
    }
  }
  return {
    store: options.store,
    keyRing: options.keyRing,
    providers,
    defaultClients,
    callbackUrl: options.callbackUrl,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: options.now ?? Date.now,
    logger: options.logger ?? silentLogger,
    stateTtlMs: positive('stateTtlMs', options.stateTtlMs, 600_000),
    refreshMarginMs: positive('refreshMarginMs', options.refreshMarginMs, 300_000),
    upstreamTimeoutMs: positive('upstreamTimeoutMs', options.upstreamTimeoutMs, 15_000),
    allowInsecureRequests: allowInsecure,
  };
}
