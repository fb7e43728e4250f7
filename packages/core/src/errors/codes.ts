import { McpOAuthError } from './base.js';

/** Codes of {@link ConfigError}. */
export type ConfigErrorCode = 'CONFIG_INVALID_OPTION';

/** A factory was called with an invalid option. The message names the option, never its value. */
export class ConfigError extends McpOAuthError<ConfigErrorCode> {
  /** Dotted path of the offending option, e.g. `provider.endpoints.token`. */
  readonly option: string;
  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID_OPTION', `Invalid option "${option}": ${message}`, options);
    this.option = option;
  }
}

/** Codes of {@link OAuthFlowError}. */
export type OAuthFlowErrorCode =
  | 'OAUTH_STATE_MISSING'
  | 'OAUTH_STATE_UNKNOWN'
  | 'OAUTH_STATE_EXPIRED'
  | 'OAUTH_STATE_USED'
  | 'OAUTH_STATE_SERVICE_MISMATCH'
  | 'OAUTH_CODE_MISSING'
  | 'OAUTH_ACCESS_DENIED'
  | 'OAUTH_PROVIDER_ERROR'
  | 'OAUTH_CODE_REJECTED'
  | 'OAUTH_TOKEN_RESPONSE_INVALID'
  | 'OAUTH_IDENTITY_FAILED'
  | 'OAUTH_UPSTREAM_UNAVAILABLE'
  | 'OAUTH_CLIENT_MISSING'
  | 'OAUTH_SERVICE_UNKNOWN'
  | 'OAUTH_INVALID_REQUEST';

/** A step of the upstream authorization-code flow failed. */
export class OAuthFlowError extends McpOAuthError<OAuthFlowErrorCode> {
  /** The provider's `error` value when the provider reported one (an RFC 6749 code, never a secret). */
  readonly providerError: string | undefined;
  constructor(
    code: OAuthFlowErrorCode,
    message: string,
    options?: { cause?: unknown; providerError?: string },
  ) {
    super(code, message, options);
    this.providerError = options?.providerError;
  }
}

/** Codes of {@link RefreshError}. */
export type RefreshErrorCode = 'REFRESH_TERMINAL' | 'REFRESH_TRANSIENT' | 'REFRESH_NOT_SUPPORTED';

/**
 * A refresh-token grant failed.
 *
 * `REFRESH_TERMINAL`: the grant can never succeed again (`invalid_grant`, `bad_refresh_token`,
 * `unauthorized_client`, `invalid_client`); the instance needs re-authorization and a breaker must not trip.
 * `REFRESH_TRANSIENT`: network, timeout, 5xx, 429 or rate limit; retry later (`retryAfterMs` when known).
 */
export class RefreshError extends McpOAuthError<RefreshErrorCode> {
  /** The provider's OAuth `error` value, when there was one. */
  readonly providerError: string | undefined;
  /** Upstream HTTP status, when a response was received. */
  readonly status: number | undefined;
  /** How long the provider asked us to wait, from `Retry-After` or rate-limit headers. */
  readonly retryAfterMs: number | undefined;
  constructor(
    code: RefreshErrorCode,
    message: string,
    options?: { cause?: unknown; providerError?: string; status?: number; retryAfterMs?: number },
  ) {
    super(code, message, options);
    this.providerError = options?.providerError;
    this.status = options?.status;
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** True when retrying can never help. */
  get terminal(): boolean {
    return this.code === 'REFRESH_TERMINAL';
  }
}

/** Codes of {@link CryptoError}. */
export type CryptoErrorCode =
  | 'CRYPTO_KEY_INVALID'
  | 'CRYPTO_KEY_UNKNOWN'
  | 'CRYPTO_CIPHERTEXT_INVALID'
  | 'CRYPTO_DECRYPT_FAILED';

/** Encryption or decryption failed. `CRYPTO_DECRYPT_FAILED` covers tampering and a wrong binding (AAD). */
export class CryptoError extends McpOAuthError<CryptoErrorCode> {}

/** Codes of {@link StoreError}. */
export type StoreErrorCode =
  | 'STORE_CONFLICT'
  | 'STORE_NOT_FOUND'
  | 'STORE_UNAVAILABLE'
  | 'STORE_DUPLICATE'
  | 'STORE_INVALID_INPUT'
  | 'STORE_MIGRATION_FAILED';

/**
 * A storage operation failed. `STORE_CONFLICT` is an optimistic-concurrency (`version`) mismatch;
 * `STORE_INVALID_INPUT` a malformed argument (non-UUID instance id on a write, bad cursor, limit out of range);
 * `STORE_MIGRATION_FAILED` a schema migration that did not apply.
 */
export class StoreError extends McpOAuthError<StoreErrorCode> {}

/** Codes of {@link InstanceError}. */
export type InstanceErrorCode =
  | 'INSTANCE_NOT_FOUND'
  | 'INSTANCE_NOT_ACTIVE'
  | 'INSTANCE_NEEDS_REAUTH'
  | 'INSTANCE_INVALID_ID'
  | 'INSTANCE_EXISTS';

/** An instance could not be used for the requested operation. */
export class InstanceError extends McpOAuthError<InstanceErrorCode> {}

/** Codes of {@link RevocationError}. */
export type RevocationErrorCode = 'REVOCATION_FAILED' | 'REVOCATION_NOT_SUPPORTED';

/** Upstream token revocation failed. */
export class RevocationError extends McpOAuthError<RevocationErrorCode> {
  /** Upstream HTTP status, when a response was received. */
  readonly status: number | undefined;
  constructor(code: RevocationErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}
