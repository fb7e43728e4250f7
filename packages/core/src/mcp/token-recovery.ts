import { InstanceError } from '../errors/index.js';
import type { AccessToken } from '../oauth/types.js';
import type { InstanceRecord } from '../store/ports.js';
import type { TokenSource } from '../tokens/source.js';
import type { Logger } from '../util/types.js';

/** The access token of one MCP request, looked up once and shared by tool listing and tool calls (internal). */
export interface RequestToken {
  /** The token; a failed lookup is not remembered, so the next call tries again. */
  get(): Promise<AccessToken>;
  /** Forgets the remembered token and looks it up again (after the provider rejected it). */
  renew(): Promise<AccessToken>;
}

/** Creates the {@link RequestToken} of one request (internal). */
export function requestToken(tokens: TokenSource, instance: InstanceRecord, requestId: string): RequestToken {
  let pending: Promise<AccessToken> | undefined;
  const get = (): Promise<AccessToken> => {
    pending ??= tokens
      .getAccessToken(instance.instanceId, { requestId, instance })
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
  return {
    get,
    renew() {
      pending = undefined;
      return get();
    },
  };
}

/** True for an upstream "401 Unauthorized" as provider clients throw it (an error with `status === 401`). */
export function isUpstreamUnauthorized(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 401;
}

/** What {@link runWithTokenRecovery} needs (internal). */
export interface RecoveryScope {
  tokens: TokenSource;
  token: RequestToken;
  instance: InstanceRecord;
  requestId: string;
  logger: Logger;
}

/**
 * Runs a tool call with the request's token. When the provider answers 401 and the token source can judge it
 * (`reportUnauthorized`, the token manager): `replaced` / `refreshed` → one retry with the new token;
 * `needs_reauth` → `InstanceError` `INSTANCE_NEEDS_REAUTH` (the caller turns it into a reconnect message).
 * Without `reportUnauthorized`, or on a second 401, the provider's error is thrown as it is.
 */
export async function runWithTokenRecovery<T>(
  scope: RecoveryScope,
  run: (token: AccessToken) => Promise<T>,
): Promise<T> {
  const token = await scope.token.get();
  try {
    return await run(token);
  } catch (error) {
    const report = scope.tokens.reportUnauthorized;
    if (!isUpstreamUnauthorized(error) || report === undefined) throw error;
    const outcome = await report.call(scope.tokens, scope.instance.instanceId, {
      accessToken: token.accessToken,
      requestId: scope.requestId,
    });
    scope.logger.warn({ outcome }, 'the provider rejected the access token');
    if (outcome === 'needs_reauth') {
      throw new InstanceError(
        'INSTANCE_NEEDS_REAUTH',
        'The provider rejected the access token; reconnect the account.',
      );
    }
    return run(await scope.token.renew());
  }
}
