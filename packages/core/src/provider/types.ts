import type { PromptDefinition } from '../mcp/prompt.js';
import type { ResourceDefinition, ResourceTemplateDefinition } from '../mcp/resource.js';
import type { ToolDefinition } from '../mcp/tool.js';
import type { FetchLike } from '../util/types.js';

/** Endpoints of an OAuth 2 provider. All are options so Enterprise installs and test fakes need no code change. */
export interface ProviderEndpoints {
  /** Issuer identifier (used by oauth4webapi for `iss` checks); defaults to the authorization endpoint's origin. */
  issuer?: string;
  authorization: string;
  token: string;
  /** RFC 7009 revocation endpoint; omit when the provider revokes differently (see `revokeToken`). */
  revocation?: string;
  /** Endpoint the identity is read from (informational; `fetchIdentity` does the reading). */
  userInfo?: string;
  /** Base URL of the provider's REST API, used by tools. */
  api: string;
}

/** The upstream account an instance is connected to. */
export interface UpstreamIdentity {
  /** Stable, provider-unique subject (GitHub user id, Google `sub`). */
  subject: string;
  /** Human-readable login or e-mail. */
  login: string;
  /** Extra non-secret profile fields (name, avatar…). */
  profile?: Record<string, unknown>;
}

/** Client credentials used for one flow. The secret never leaves the engine. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Result of a provider-specific live check of client credentials. */
export interface ClientCheckResult {
  /** `true` valid, `false` rejected by the provider, `null` the provider offers no way to tell. */
  valid: boolean | null;
  detail: string;
}

/** Result of probing the API with an access token. */
export interface ApiCheckResult {
  reachable: boolean;
  /** HTTP status of the probe, when a response arrived. */
  status?: number;
  /** Scopes the provider reports for the token (e.g. GitHub's `X-OAuth-Scopes`), when it reports them. */
  grantedScopes?: string[];
  detail: string;
}

/**
 * A provider: plain data plus a few quirk hooks over the one engine in core.
 * Providers contain no protocol code; the flow (state, PKCE, exchange, refresh, revoke) lives in core.
 */
export interface ProviderDefinition {
  /** Service name and `mcp_table.name`, lowercase (`github`). */
  id: string;
  displayName: string;
  endpoints: ProviderEndpoints;
  /** Scopes requested when the caller names none. */
  defaultScopes: readonly string[];
  /** Scopes every instance needs for the provider's baseline tools (used by `validateCredentials`). */
  requiredScopes?: readonly string[];
  /** How the provider joins scopes in the authorization request and in `scope` responses. */
  scopeSeparator: ' ' | ',';
  /** Whether to send a PKCE S256 challenge. */
  pkce: boolean;
  /** Extra authorization parameters (Google: `access_type=offline`, `prompt=consent`). */
  authorizationParams?: Readonly<Record<string, string>>;
  /** How the client authenticates at the token endpoint. */
  clientAuthentication: 'client_secret_post' | 'client_secret_basic';
  /**
   * Whether access tokens expire: `true` always, `false` never (GitHub OAuth Apps), `'per-token'` decided by the
   * token response (`expires_in` present or not, as with GitHub Apps that may or may not opt into expiry).
   */
  tokensExpire: boolean | 'per-token';
  /** Whether a refresh replaces the refresh token (single-use rotating refresh tokens). */
  rotatesRefreshTokens: boolean;
  /** Loose plausibility check for client ids (format only; no secret is ever matched against a pattern). */
  clientIdPattern?: RegExp;
  /**
   * Rewrites a token endpoint response into RFC 6749 shape before oauth4webapi reads it
   * (e.g. GitHub answers errors with HTTP 200). Must not consume the original body more than once.
   */
  normalizeTokenResponse?: (response: Response) => Promise<Response>;
  /** Reads the upstream identity with a fresh access token. */
  fetchIdentity(context: {
    accessToken: string;
    fetch: FetchLike;
    signal?: AbortSignal;
  }): Promise<UpstreamIdentity>;
  /** Provider-specific revocation when it is not RFC 7009 (GitHub). */
  revokeToken?(context: {
    token: string;
    client: ClientCredentials;
    fetch: FetchLike;
    signal?: AbortSignal;
  }): Promise<void>;
  /** Live check of client credentials, where the provider allows one without a user token. */
  checkClient?(context: {
    client: ClientCredentials;
    fetch: FetchLike;
    signal?: AbortSignal;
  }): Promise<ClientCheckResult>;
  /** Probes the API with an access token (reachability and reported scopes). */
  checkApi?(context: {
    accessToken: string;
    fetch: FetchLike;
    signal?: AbortSignal;
  }): Promise<ApiCheckResult>;
  /** MCP tools this provider offers. */
  tools?: readonly ToolDefinition[];
  /** MCP resources at fixed URIs (read-only; filtered by scopes and toolsets like tools). */
  resources?: readonly ResourceDefinition[];
  /** MCP resource templates (`repo://{owner}/{repo}/contents{/path*}`), filtered like {@link resources}. */
  resourceTemplates?: readonly ResourceTemplateDefinition[];
  /** MCP prompts (read-only; filtered by scopes and toolsets like tools). */
  prompts?: readonly PromptDefinition[];
  /**
   * The granted scopes plus every scope they imply (GitHub: `repo` ⊃ `public_repo`, `repo:status`, …;
   * `user` ⊃ `read:user`, `user:email`). Core compares tool scopes against this expansion.
   * @default scopes compare exactly
   */
  expandScopes?(granted: readonly string[]): readonly string[];
  /**
   * How tools are filtered by granted scopes: `strict` hides a tool whose scopes were not all granted;
   * `none-when-empty` does the same, except that a token reporting no scopes at all is not filtered (GitHub App
   * user tokens carry no scopes: their access is the app's permissions, and a call lacking one fails upstream
   * with a message naming it).
   * @default 'strict'
   */
  scopeFiltering?: 'strict' | 'none-when-empty';
}
