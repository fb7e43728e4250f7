import type { McpHandler } from '../mcp/handler.js';
import type { OAuthFlow } from '../oauth/types.js';
import type { Store } from '../store/ports.js';
import type { TokenSource } from '../tokens/source.js';
import type { Clock, Logger } from '../util/types.js';
import type { AdminAuth } from './admin-auth.js';
import type { InstanceAuth } from './instance-auth.js';

/**
 * The token cache as the HTTP layer sees it (the cache package implements it). Both methods are optional in
 * effect: without a cache, `POST /cache-tokens` warms tokens through the flow instead.
 */
export interface CacheControl {
  /**
   * Loads the credentials of the given active instances (all when omitted) into the cache; returns how many
   * were loaded, or `{reloaded, failed}`.
   */
  reload(instanceIds?: string[]): Promise<number | CacheReloadReport>;
  /**
   * Drops an instance's cached token on every replica (called after the instance is deleted, so the service
   * name is passed along: the row is gone).
   */
  invalidate?(instanceId: string, serviceName?: string): Promise<void>;
  /**
   * Tells the other replicas that an instance (no `keyId`) or one of its API keys was deleted, so they forget the
   * key at once and end their MCP sessions of it (the host wires the receiving side). Optional: without it, a
   * deleted key is announced through `invalidate`, and other replicas' sessions end at idle expiry.
   */
  announceRevoked?(instanceId: string, keyId?: string): Promise<void>;
}

/** What `POST /cache-tokens` answers. */
export interface CacheReloadReport {
  reloaded: number;
  failed: number;
}

/** Validated dependencies shared by every route (internal). */
export interface HttpDeps {
  flow: OAuthFlow;
  /** The token manager, or the flow itself when none was given. */
  tokens: TokenSource;
  store: Store;
  now: Clock;
  logger: Logger;
  version: string;
  /** `now()` when the handler was created, for `uptime`. */
  startedAt: number;
  maxBodyBytes: number;
  adminAuth: AdminAuth;
  instanceAuth: InstanceAuth;
  /** Hash of issued API keys (`HttpHandlerOptions.sha256`). */
  sha256: (value: string) => string | Promise<string>;
  /** Forgets cached API-key resolutions of the given instances (all when omitted). */
  forgetPrincipals(instanceIds?: readonly string[]): void;
  mcp: McpHandler;
  cache: CacheControl | undefined;
  healthChecks: { cache?: () => Promise<void> };
  healthTimeoutMs: number;
  stats: (() => Record<string, unknown>) | undefined;
}

/** Everything a route handler gets for one request (internal). */
export interface RequestContext {
  request: Request;
  url: URL;
  /** Percent-decoded path parameters. */
  params: Readonly<Record<string, string>>;
  requestId: string;
  deps: HttpDeps;
}

/** A route handler (internal). */
export type RouteHandler = (context: RequestContext) => Promise<Response>;
