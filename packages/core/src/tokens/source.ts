import type { AccessToken, RefreshResult } from '../oauth/types.js';
import type { InstanceRecord } from '../store/ports.js';
import type { ReportUnauthorizedOptions, TokenStatus, UnauthorizedOutcome } from './types.js';

/**
 * Where the HTTP and MCP handlers get access tokens. A {@link TokenManager} satisfies it; without one the
 * handlers use the flow's plain `getAccessToken` / `refreshTokens`.
 */
export interface TokenSource {
  /** A usable access token; `instance` is the record the caller already loaded (saves a query on cache hits). */
  getAccessToken(
    instanceId: string,
    options?: { requestId?: string; instance?: InstanceRecord },
  ): Promise<AccessToken>;
  /** Refreshes now (`POST /:instanceId/refresh`). */
  forceRefresh?(instanceId: string, options?: { requestId?: string }): Promise<RefreshResult>;
  /**
   * Called by the MCP handler when a tool's upstream call answered 401 with `accessToken`: `replaced` or
   * `refreshed` → the tool is retried once with a fresh token; `needs_reauth` → the call asks for a reconnect.
   */
  reportUnauthorized?(instanceId: string, options: ReportUnauthorizedOptions): Promise<UnauthorizedOutcome>;
  /** Refresh bookkeeping and breaker states, merged into `GET /:instanceId/status` (no secrets). */
  status?(instanceId: string): Promise<TokenStatus>;
}
