import type { AccessToken, RefreshResult } from '../oauth/types.js';
import type { InstanceRecord } from '../store/ports.js';

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
}
