import { InstanceError, RefreshError } from '../errors/index.js';
import { retryAfterSeconds } from '../http/error-map.js';

/** What a tool failure message may mention. */
export interface ToolErrorContext {
  /** Display name of the provider (`GitHub`). */
  providerName: string;
  requestId: string;
}

function numberField(error: unknown, name: 'status' | 'retryAfterMs'): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : undefined;
}

function retryAfter(ms: number | undefined): string {
  return `retry after ${retryAfterSeconds(ms)} s`;
}

/**
 * Turns a tool failure into a message a model can act on, without internals: reconnect, retry later, or (for
 * anything unexpected) a generic message with the request id — the details belong in the log only.
 */
export function toolErrorMessage(error: unknown, context: ToolErrorContext): string {
  const reconnect = `This ${context.providerName} account must be reconnected before it can be used. Ask the user to re-authorize the connection, then retry.`;
  if (error instanceof InstanceError) {
    if (error.code === 'INSTANCE_NEEDS_REAUTH' || error.code === 'INSTANCE_NOT_ACTIVE') return reconnect;
    if (error.code === 'INSTANCE_NOT_FOUND') return 'This connection no longer exists.';
  }
  if (error instanceof RefreshError) {
    if (error.code === 'REFRESH_TRANSIENT') {
      return `${context.providerName} is temporarily unavailable; ${retryAfter(error.retryAfterMs)}.`;
    }
    return reconnect;
  }
  const status = numberField(error, 'status');
  if (status === 401) return reconnect;
  if (status === 429 || (status !== undefined && status >= 500 && status <= 599)) {
    return `${context.providerName} is temporarily unavailable; ${retryAfter(numberField(error, 'retryAfterMs'))}.`;
  }
  return `The tool failed unexpectedly (request id ${context.requestId}).`;
}
