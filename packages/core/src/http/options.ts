import { ConfigError } from '../errors/index.js';
import { DEFAULT_MCP_MAX_BODY_BYTES } from '../mcp/body-limit.js';
import type { ToolRateLimitOptions } from '../mcp/rate-limit.js';
import type { McpSessionOptions } from '../mcp/session-table.js';
import type { OAuthFlow } from '../oauth/types.js';
import type { Store } from '../store/ports.js';
import type { TokenSource } from '../tokens/source.js';
import type { Clock, FetchLike, Logger } from '../util/types.js';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import type { CacheControl } from './context.js';
import type { HttpHandler } from './create-handler.js';
import type { PrincipalCacheOptions } from './principal-cache.js';

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /** The upstream OAuth flow (`createOAuthFlow`); its `providers` are the enabled services. */
  flow: OAuthFlow;
  store: Store;
  /**
   * Source of access tokens for MCP tools, `POST /:instanceId/refresh` and `POST /cache-tokens` — the token
   * manager of `createTokenManager`. @default the flow's plain `getAccessToken` / `refreshTokens`
   */
  tokens?: TokenSource;
  /** Bearer token of the admin API; at least 32 characters. */
  adminToken: string;
  /** Version reported by `/health` and the MCP `serverInfo`. */
  version: string;
  /** @default Date.now */
  now?: Clock;
  /** @default silentLogger */
  logger?: Logger;
  /** `fetch` handed to MCP tools. @default globalThis.fetch */
  fetch?: FetchLike;
  /** Largest JSON body of the admin API. @default 65_536 (64 KiB) */
  maxBodyBytes?: number;
  /**
   * Largest JSON-RPC body of `/:instanceId/mcp` (tools may carry file contents of up to ~1 MB).
   * @default DEFAULT_MCP_MAX_BODY_BYTES (1 MiB + 64 KiB)
   */
  mcpMaxBodyBytes?: number;
  /** DNS-rebinding protection of the MCP endpoint: allowed `Host` values. Off when omitted. */
  allowedHosts?: string[];
  /**
   * Per-instance rate limit of MCP tool calls (token bucket; `now` defaults to this handler's clock). A refused
   * call is an `isError` result saying when to retry. Off when omitted.
   */
  toolRateLimit?: ToolRateLimitOptions;
  /**
   * Stateful MCP sessions on `/:instanceId/mcp` (sampling, elicitation, resource subscriptions, `GET` streams);
   * off when omitted, `{}` for the defaults. Sessions are per replica: see `createMcpHandler`'s `sessions`.
   */
  mcpSessions?: McpSessionOptions;
  /** Token cache; without one `POST /cache-tokens` warms tokens through the flow. */
  cache?: CacheControl;
  /**
   * Per-replica memory of resolved API keys, so a busy MCP client does not cost two store reads per request.
   * Keys and instances changed through this handler are forgotten at once; for changes made on another
   * replica, call {@link HttpHandler.forgetPrincipals} from the cross-replica invalidation (the reference
   * server wires the token cache's bus to it) — otherwise `ttlMs` bounds how long they go unseen. `false`
   * turns it off. @default `{ ttlMs: 2_000, maxEntries: 10_000 }`
   */
  principalCache?: PrincipalCacheOptions | false;
  /**
   * SHA-256 as 64 lowercase hex characters, used to hash API keys when they are issued and on every per-instance
   * request. Must compute exactly that (keys issued earlier are found by it). @default core's `sha256Hex`
   * (WebCrypto, asynchronous, portable). On Node, `(value) => createHash('sha256').update(value).digest('hex')`
   * from `node:crypto` is about 20× cheaper per request (no thread-pool round trip).
   */
  sha256?: (value: string) => string | Promise<string>;
  /** Extra `/health` probes. A failing cache makes the report `degraded`. */
  healthChecks?: { cache?: () => Promise<void> };
  /**
   * Counters reported under `stats` by `/health` (cache hit ratio, refresh outcomes, breaker states), e.g.
   * `() => ({ tokens: tokenManager.stats(), cache: cache.stats() })`. `/health` is not authenticated: return
   * no secrets and no instance ids.
   */
  stats?: () => Record<string, unknown>;
  /** Time each `/health` probe may take. @default 2_000 */
  healthTimeoutMs?: number;
}

/** Smallest admin token accepted. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigError(option, 'must be a positive integer');
  return value;
}

/** Options after validation, with defaults applied (internal). */
export interface ResolvedHttpOptions {
  maxBodyBytes: number;
  mcpMaxBodyBytes: number;
  healthTimeoutMs: number;
}

/**
 * Validates the options once, when the handler is created.
 * @throws ConfigError naming the bad option (never its value).
 */
export function resolveHttpOptions(options: HttpHandlerOptions): ResolvedHttpOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  if (
    typeof options.flow !== 'object' ||
    options.flow === null ||
    typeof options.flow.providers?.get !== 'function'
  ) {
    throw new ConfigError('flow', 'must be an OAuthFlow');
  }
  if (typeof options.store !== 'object' || options.store === null)
    throw new ConfigError('store', 'must be a Store');
  if (
    options.tokens !== undefined &&
    (typeof options.tokens !== 'object' ||
      options.tokens === null ||
      typeof options.tokens.getAccessToken !== 'function')
  ) {
    throw new ConfigError('tokens', 'must have getAccessToken()');
  }
  if (typeof options.adminToken !== 'string' || options.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError('adminToken', `must be a string of at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(options.adminToken)) {
    throw new ConfigError(
      'adminToken',
      'must use only bearer-token characters (A-Z a-z 0-9 - . _ ~ + / and trailing =)',
    );
  }
  if (typeof options.version !== 'string' || options.version.trim() === '') {
    throw new ConfigError('version', 'must be a non-empty string');
  }
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new ConfigError('now', 'must be a function');
  if (options.stats !== undefined && typeof options.stats !== 'function')
    throw new ConfigError('stats', 'must be a function');
  if (options.allowedHosts !== undefined) {
    if (!Array.isArray(options.allowedHosts) || options.allowedHosts.length === 0) {
      throw new ConfigError('allowedHosts', 'must be a non-empty array of host names');
    }
  }
  return {
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    mcpMaxBodyBytes: positiveInteger('mcpMaxBodyBytes', options.mcpMaxBodyBytes, DEFAULT_MCP_MAX_BODY_BYTES),
    healthTimeoutMs: positiveInteger('healthTimeoutMs', options.healthTimeoutMs, 2_000),
  };
}
