import type { FakeRepo } from './repo-types.js';

/** How a registered client behaves at the token endpoint. */
export type FakeGitHubAppMode = 'oauth-app' | 'github-app';

/** A client (OAuth App or GitHub App) registered at the fake. */
export interface FakeGitHubClient {
  clientId: string;
  clientSecret: string;
  /**
   * `oauth-app`: `gho_` tokens that never expire, no refresh token, scopes as requested.
   * `github-app`: `ghu_` tokens expiring after 8 h with single-use rotating `ghr_` refresh tokens (6 months),
   * and an empty `scope` (GitHub Apps use permissions, not scopes).
   * @default 'oauth-app'
   */
  mode?: FakeGitHubAppMode;
  /** Registered callback URLs; when set, an authorize request with another `redirect_uri` is refused. */
  redirectUris?: string[];
  /** App name shown in the token check response. @default 'Fake app' */
  name?: string;
}

/** A GitHub user known to the fake. Fields not given get plausible defaults. */
export interface FakeGitHubUserInput {
  login: string;
  id: number;
  name?: string | null;
  email?: string | null;
  company?: string | null;
  blog?: string;
  location?: string | null;
  bio?: string | null;
  type?: 'User' | 'Organization' | 'Bot';
  site_admin?: boolean;
  public_repos?: number;
  followers?: number;
  following?: number;
}

/** The `/user` representation of a fake user, as GitHub returns it. */
export interface FakeGitHubUser {
  login: string;
  id: number;
  node_id: string;
  name: string | null;
  email: string | null;
  avatar_url: string;
  html_url: string;
  type: 'User' | 'Organization' | 'Bot';
  site_admin: boolean;
  company: string | null;
  blog: string;
  location: string | null;
  bio: string | null;
  public_repos: number;
  followers: number;
  following: number;
  created_at: string;
  updated_at: string;
}

/** An authorization code handed out by the authorize endpoint. */
export interface FakeGitHubCode {
  code: string;
  clientId: string;
  redirectUri: string;
  login: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: number;
  used: boolean;
}

/** An access token issued by the fake. */
export interface FakeGitHubToken {
  token: string;
  clientId: string;
  login: string;
  scopes: string[];
  createdAt: number;
  /** `null`: never expires (OAuth Apps). */
  expiresAt: number | null;
  /** The refresh token issued with this access token, if any. */
  refreshToken: string | null;
  revoked: boolean;
}

/** A refresh token issued by the fake (GitHub Apps only). Single use. */
export interface FakeGitHubRefreshToken {
  token: string;
  clientId: string;
  login: string;
  scopes: string[];
  accessToken: string;
  expiresAt: number;
  used: boolean;
  revoked: boolean;
}

/** One request the fake received (for assertions on headers and bodies). */
export interface FakeGitHubRequest {
  method: string;
  /** Path and query. */
  url: string;
  /** Route name (see {@link FakeGitHubRoute}). */
  route: FakeGitHubRoute;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

/** Names under which calls are counted in {@link FakeGitHubState.calls}. */
export type FakeGitHubRoute =
  | 'authorize'
  | 'token'
  | 'user'
  | 'revoke'
  | 'check_token'
  /** Repository and search endpoints (`/repos/…`, `/search/…`). */
  | 'rest'
  | 'not_found';

/** A failure the fake answers with instead of the normal response. */
export type FakeGitHubFault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'rate_limit'; status?: 429 | 403; retryAfterSeconds: number }
  /** 403 with GitHub's "secondary rate limit" message, `Retry-After` when given, and quota left. */
  | { kind: 'secondary_rate_limit'; retryAfterSeconds?: number }
  /** 422 `{"message":"Validation Failed","errors":[…]}`. */
  | { kind: 'validation_failed'; errors?: Array<Record<string, string>> }
  | { kind: 'hang' };

/** Where a fault is injected: the token endpoint or any REST API route. */
export type FakeGitHubFaultTarget = 'token' | 'api';

/** Everything the fake remembers; tests read it directly. */
export interface FakeGitHubState {
  clients: Map<string, Required<Omit<FakeGitHubClient, 'redirectUris'>> & { redirectUris: string[] }>;
  users: Map<string, FakeGitHubUser>;
  codes: Map<string, FakeGitHubCode>;
  tokens: Map<string, FakeGitHubToken>;
  refreshTokens: Map<string, FakeGitHubRefreshToken>;
  /** Access and refresh tokens revoked through the API or a control. */
  revokedTokens: Set<string>;
  /** Number of requests per route. */
  calls: Record<FakeGitHubRoute, number>;
  /** Number of `grant_type=refresh_token` requests, successful or not. */
  refreshCalls: number;
  /** Every request, oldest first. */
  requests: FakeGitHubRequest[];
  /** Login of the user who approves the next authorization. */
  approvingLogin: string;
  /** When set, the next approval grants these scopes instead of the requested ones. */
  grantedScopesOverride: string[] | null;
  /** Answer of the next authorize request when it must fail (`access_denied` or another error). */
  nextAuthorizeError: { error: string; description: string } | null;
  /** Pending injected faults, consumed first in first out. */
  faults: Record<FakeGitHubFaultTarget, FakeGitHubFault[]>;
  /** Remaining core rate limit per login. */
  rateLimitUsed: Map<string, number>;
  /** Repositories by lower-case `owner/name`. */
  repos: Map<string, FakeRepo>;
  /** Last numeric id handed out (repositories, issues, comments). */
  nextId: number;
  /** Number of commits written, mixed into commit SHAs. */
  commitSeq: number;
  /** `incomplete_results` of every search answer; set `true` to imitate a search GitHub cut short (timeout). */
  searchIncompleteResults: boolean;
}
