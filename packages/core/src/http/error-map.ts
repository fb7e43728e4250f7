import { InstanceError, OAuthFlowError, RefreshError, RevocationError, StoreError } from '../errors/index.js';
import { HttpError } from './http-error.js';

/** How an error is answered over HTTP and how loudly it is logged. */
export interface MappedError {
  status: number;
  /** `error.code` of the response body. */
  code: string;
  /** `error.message` of the response body; never contains a secret or a stack. */
  message: string;
  headers: Record<string, string>;
  /** `error` for failures of ours (5xx), `warn` for upstream/availability, `none` for client mistakes. */
  log: 'none' | 'warn' | 'error';
}

/** Seconds suggested in `Retry-After` when the upstream did not say. */
const DEFAULT_RETRY_AFTER_S = 30;

const OAUTH_STATUS: Readonly<Record<OAuthFlowError['code'], number>> = {
  OAUTH_STATE_MISSING: 400,
  OAUTH_STATE_UNKNOWN: 400,
  OAUTH_STATE_EXPIRED: 400,
  OAUTH_STATE_USED: 400,
  OAUTH_STATE_SERVICE_MISMATCH: 400,
  OAUTH_CODE_MISSING: 400,
  OAUTH_ACCESS_DENIED: 400,
  OAUTH_PROVIDER_ERROR: 400,
  OAUTH_CODE_REJECTED: 400,
  OAUTH_CLIENT_MISSING: 400,
  OAUTH_INVALID_REQUEST: 400,
  OAUTH_SERVICE_UNKNOWN: 404,
  OAUTH_TOKEN_RESPONSE_INVALID: 502,
  OAUTH_IDENTITY_FAILED: 502,
  OAUTH_UPSTREAM_UNAVAILABLE: 502,
};

const INSTANCE_STATUS: Readonly<Record<InstanceError['code'], number>> = {
  INSTANCE_NOT_FOUND: 404,
  INSTANCE_INVALID_ID: 400,
  INSTANCE_EXISTS: 409,
  INSTANCE_NEEDS_REAUTH: 409,
  INSTANCE_NOT_ACTIVE: 409,
};

const STORE_STATUS: Readonly<Record<StoreError['code'], number>> = {
  STORE_UNAVAILABLE: 503,
  STORE_CONFLICT: 409,
  STORE_DUPLICATE: 409,
  STORE_NOT_FOUND: 404,
  STORE_INVALID_INPUT: 400,
  STORE_MIGRATION_FAILED: 500,
};

function mapped(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): MappedError {
  return { status, code, message, headers, log: status >= 500 ? 'warn' : 'none' };
}

/** Seconds for a `Retry-After` header, from milliseconds when known. */
export function retryAfterSeconds(retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0)
    return DEFAULT_RETRY_AFTER_S;
  return Math.ceil(retryAfterMs / 1000);
}

/**
 * The single place where errors become HTTP statuses.
 *
 * Coded core errors keep their code and message (core messages never carry secrets). Configuration, crypto and
 * unknown errors answer a generic 500 `INTERNAL_ERROR` naming only the request id; their details go to the log.
 */
export function mapError(error: unknown, requestId: string): MappedError {
  if (error instanceof HttpError)
    return mapped(error.status, error.code, error.message, { ...error.headers });
  if (error instanceof OAuthFlowError) return mapped(OAUTH_STATUS[error.code], error.code, error.message);
  if (error instanceof InstanceError) return mapped(INSTANCE_STATUS[error.code], error.code, error.message);
  if (error instanceof StoreError) {
    const status = STORE_STATUS[error.code];
    if (status === 503) return mapped(503, error.code, 'The database is temporarily unavailable.');
    // A malformed argument the edge let through (a forged page cursor): the client's mistake, named by field.
    if (error.code === 'STORE_INVALID_INPUT') return mapped(400, 'INVALID_REQUEST', error.message);
    if (status !== 500) return mapped(status, error.code, error.message);
  }
  if (error instanceof RefreshError) {
    if (error.code === 'REFRESH_TRANSIENT') {
      const seconds = retryAfterSeconds(error.retryAfterMs);
      return mapped(
        503,
        error.code,
        `The upstream provider is temporarily unavailable; retry after ${seconds} s.`,
        {
          'retry-after': String(seconds),
        },
      );
    }
    return mapped(409, error.code, error.message);
  }
  if (error instanceof RevocationError) return mapped(502, error.code, error.message);
  // ConfigError, CryptoError and anything unknown: a fault on our side whose details must stay in the log.
  return {
    status: 500,
    code: 'INTERNAL_ERROR',
    message: `Internal error (request id ${requestId}).`,
    headers: {},
    log: 'error',
  };
}
