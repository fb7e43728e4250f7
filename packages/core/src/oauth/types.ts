import type { ProviderDefinition } from '../provider/types.js';
import type { InstanceRecord, InstanceStatus } from '../store/ports.js';

/** Input of {@link OAuthFlow.createAuthorizationRequest}. */
export interface AuthorizationRequestInput {
  serviceName: string;
  /** Owner of the instance in the host's user space. */
  userId: string;
  /** Re-authorize this existing instance (same service and owner), or create it with this UUID. */
  instanceId?: string;
  /** The instance's own OAuth client; both or neither. Defaults to the host's client for the service. */
  clientId?: string;
  clientSecret?: string;
  /** Requested scopes; defaults to the provider's `defaultScopes`. */
  scopes?: string[];
  readOnly?: boolean;
  toolsets?: string[] | null;
  /** Where the callback page sends the browser after success (absolute http(s) URL). */
  redirectAfter?: string;
  /** Correlates audit records. */
  requestId?: string;
}

/** Result of {@link OAuthFlow.createAuthorizationRequest}. */
export interface AuthorizationRequest {
  instanceId: string;
  /** Send the user's browser here. Contains the state value; do not log it. */
  authorizationUrl: string;
  /** When the state stops being accepted. */
  expiresAt: Date;
}

/** Result of a successful {@link OAuthFlow.handleCallback}. */
export interface CallbackResult {
  instanceId: string;
  serviceName: string;
  status: InstanceStatus;
  /** Upstream login of the connected account. */
  login: string;
  redirectAfter: string | null;
}

/** Result of {@link OAuthFlow.refreshTokens}. */
export interface RefreshResult {
  instanceId: string;
  expiresAt: Date | null;
  /** Whether the provider issued a new refresh token (rotation). */
  rotated: boolean;
  version: number;
}

/** Options of {@link OAuthFlow.refreshTokens}. */
export interface RefreshTokensOptions {
  /** Correlates audit records. */
  requestId?: string;
  /**
   * What a terminal failure (`invalid_grant`, `bad_refresh_token`, …) does besides recording the attempt:
   * `mark` sets the instance to `needs_reauth` (audit `token.needs_reauth`); `report` only throws, so the
   * caller can re-read the row first and decide (the token manager does this: another replica may have saved
   * newer tokens in the meantime).
   * @default 'mark'
   */
  onTerminal?: 'mark' | 'report';
}

/** Result of {@link OAuthFlow.revokeTokens}. */
export interface RevokeResult {
  /** Whether the upstream confirmed revocation (false when the provider offers none or it failed). */
  revoked: boolean;
  detail: string;
}

/** Input of {@link OAuthFlow.validateCredentials}. */
export interface ValidateCredentialsInput {
  clientId?: string;
  clientSecret?: string;
  instanceId?: string;
}

/** One check of a validation report. `null` valid means "could not be determined". */
export interface ValidationCheck {
  valid: boolean | null;
  detail: string;
}

/** Result of {@link OAuthFlow.validateCredentials}. Contains no secrets. */
export interface ValidationReport {
  serviceName: string;
  /** False when any performed check failed. */
  valid: boolean;
  checks: {
    clientFormat: ValidationCheck;
    clientLive?: ValidationCheck;
    tokenFreshness?: ValidationCheck & { expiresAt: string | null };
    scopes?: ValidationCheck & { granted: string[]; required: string[]; missing: string[] };
    apiReachability?: ValidationCheck & { status?: number };
  };
}

/** A decrypted, usable access token. Never serialise this object. */
export interface AccessToken {
  accessToken: string;
  tokenType: string;
  expiresAt: Date | null;
  grantedScopes: string[];
  instance: InstanceRecord;
}

/** The upstream OAuth flow bound to a store, key ring and set of providers. */
export interface OAuthFlow {
  /** The enabled providers, by service name. */
  readonly providers: ReadonlyMap<string, ProviderDefinition>;
  /**
   * Creates (or re-arms) an instance in `pending_oauth`, stores a hashed single-use state with an encrypted
   * PKCE verifier, and returns the provider's authorization URL.
   * @throws OAuthFlowError `OAUTH_SERVICE_UNKNOWN`, `OAUTH_CLIENT_MISSING`, `OAUTH_INVALID_REQUEST`;
   *   InstanceError `INSTANCE_INVALID_ID`, `INSTANCE_EXISTS`.
   */
  createAuthorizationRequest(input: AuthorizationRequestInput): Promise<AuthorizationRequest>;
  /**
   * Completes the flow from the callback's query parameters.
   * @throws OAuthFlowError for every state problem (missing, unknown, expired, used, other service), provider
   *   errors (`OAUTH_ACCESS_DENIED`, `OAUTH_PROVIDER_ERROR`), a rejected code and upstream failures.
   */
  handleCallback(
    serviceName: string,
    params: URLSearchParams,
    options?: { requestId?: string },
  ): Promise<CallbackResult>;
  /**
   * One plain refresh-token grant, saved with a version check (no single-flight; see the token manager).
   * Every failure increments `refresh_attempts` and records `last_refresh_error`; a terminal one also marks
   * the instance `needs_reauth` unless `onTerminal: 'report'`.
   * @throws RefreshError classified terminal or transient; StoreError when the save fails.
   */
  refreshTokens(instanceId: string, options?: RefreshTokensOptions): Promise<RefreshResult>;
  /** Revokes the instance's tokens upstream. Never throws for upstream failures; reports them. */
  revokeTokens(instanceId: string, options?: { requestId?: string }): Promise<RevokeResult>;
  /** Checks client credentials, token freshness, scopes and API reachability. */
  validateCredentials(serviceName: string, input: ValidateCredentialsInput): Promise<ValidationReport>;
  /**
   * Returns a usable access token, refreshing it first when it expires within `refreshMarginMs`.
   * @throws InstanceError `INSTANCE_NOT_FOUND`, `INSTANCE_NOT_ACTIVE`, `INSTANCE_NEEDS_REAUTH`; RefreshError.
   */
  getAccessToken(instanceId: string, options?: { requestId?: string }): Promise<AccessToken>;
}
