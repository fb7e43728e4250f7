/** A registered OAuth client of the fake Google (a "Web application" client in the Cloud console). */
export interface FakeGoogleClient {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; empty accepts any (convenient for tests that build callback URLs late). */
  redirectUris: readonly string[];
}

/** A Google account as userinfo reports it. */
export interface FakeGoogleUser {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  givenName: string;
  familyName: string;
  picture: string;
}

/** A one-shot answer of the token endpoint instead of the real one. */
export type FakeGoogleFault =
  /** A 5xx (or any) status with a JSON body like Google's backend errors. */
  | { kind: 'status'; status: number }
  /** HTTP 429 `rate_limit_exceeded` with a `Retry-After` header in seconds. */
  | { kind: 'rate_limit'; retryAfterSeconds: number };

/** Routes the fake distinguishes, for counters and the request log. */
export type FakeGoogleRoute =
  | 'authorize'
  | 'token'
  | 'revoke'
  | 'userinfo'
  | 'tokeninfo'
  | 'certs'
  | 'not_found';

/** An authorization code waiting to be exchanged. */
export interface FakeGoogleCode {
  code: string;
  clientId: string;
  redirectUri: string;
  sub: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  /** Whether the exchange issues a refresh token (offline access and consent shown). */
  issueRefreshToken: boolean;
  expiresAt: number;
  used: boolean;
}

/** An issued access or refresh token. `grant` is `${clientId} ${sub}`: revocation ends all of them. */
export interface FakeGoogleToken {
  token: string;
  kind: 'access' | 'refresh';
  grant: string;
  clientId: string;
  sub: string;
  scopes: string[];
  /** Access tokens only (refresh tokens do not expire by time here). */
  expiresAt: number | null;
  offline: boolean;
  revoked: boolean;
}

/** One request as received, for assertions. Bodies hold secrets: never print them. */
export interface FakeGoogleRequest {
  method: string;
  url: string;
  route: FakeGoogleRoute;
  headers: Record<string, string>;
  body: string;
}

/** Everything the fake knows. Mutate only through the controls of `FakeGoogle` unless a test needs a corner. */
export interface FakeGoogleState {
  clients: Map<string, FakeGoogleClient>;
  /** Accounts by `sub`. */
  users: Map<string, FakeGoogleUser>;
  approvingSub: string;
  codes: Map<string, FakeGoogleCode>;
  tokens: Map<string, FakeGoogleToken>;
  /** Grants (`${clientId} ${sub}`) that already consented to offline access (no new refresh token without prompt=consent). */
  offlineConsents: Set<string>;
  /** Scopes granted so far per grant (for `include_granted_scopes=true`). */
  grantedScopes: Map<string, string[]>;
  calls: Record<FakeGoogleRoute, number>;
  /** Refresh-token grants received (counted before faults and validation). */
  refreshCalls: number;
  faults: FakeGoogleFault[];
  nextAuthorizeError: { error: string; description: string } | null;
  requests: FakeGoogleRequest[];
}
