import {
  type ApiCheckResult,
  type FetchLike,
  OAuthFlowError,
  type UpstreamIdentity,
} from '@org/mcp-oauth-core';
import { GitHubApiError } from './api/errors.js';
import { githubFetch, githubJson } from './api/request.js';

/** The fields of `GET /user` the provider reads. */
export interface GitHubUserSummary {
  id: number;
  login: string;
  name?: string | null;
  avatar_url?: string;
  html_url?: string;
}

function isUserSummary(value: unknown): value is GitHubUserSummary {
  if (!value || typeof value !== 'object') return false;
  const { id, login } = value as Record<string, unknown>;
  return typeof id === 'number' && Number.isInteger(id) && typeof login === 'string' && login !== '';
}

/**
 * Reads the GitHub user a token belongs to. The subject is the numeric user id (logins can be renamed).
 * @throws OAuthFlowError `OAUTH_IDENTITY_FAILED` (the cause is a {@link GitHubApiError}; no token in the message).
 */
export async function fetchGitHubIdentity(
  apiUrl: string,
  context: { accessToken: string; fetch: FetchLike; signal?: AbortSignal },
): Promise<UpstreamIdentity> {
  let user: unknown;
  try {
    ({ data: user } = await githubJson<unknown>({ apiUrl, path: '/user', ...context }));
  } catch (error) {
    const detail = error instanceof GitHubApiError ? ` (${error.message})` : '';
    throw new OAuthFlowError('OAUTH_IDENTITY_FAILED', `Reading the GitHub user failed${detail}.`, {
      cause: error,
    });
  }
  if (!isUserSummary(user)) {
    throw new OAuthFlowError(
      'OAUTH_IDENTITY_FAILED',
      'GitHub returned a user without a numeric id and a login.',
    );
  }
  return {
    subject: String(user.id),
    login: user.login,
    profile: {
      name: user.name ?? null,
      avatar_url: user.avatar_url ?? null,
      html_url: user.html_url ?? null,
    },
  };
}

/** Splits GitHub's `X-OAuth-Scopes` header (`repo, read:user`). */
export function parseOAuthScopesHeader(value: string): string[] {
  return value
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
}

/**
 * Probes `GET /user` with a token: reachability, status and the scopes GitHub reports in `X-OAuth-Scopes`.
 * Never throws for an HTTP answer; a network failure is reported as unreachable.
 */
export async function checkGitHubApi(
  apiUrl: string,
  context: { accessToken: string; fetch: FetchLike; signal?: AbortSignal },
): Promise<ApiCheckResult> {
  let response: Response;
  try {
    response = await githubFetch({ apiUrl, path: '/user', ...context });
  } catch {
    return { reachable: false, detail: 'GitHub could not be reached' };
  }
  await response.body?.cancel();
  const header = response.headers.get('x-oauth-scopes');
  const grantedScopes = header === null ? undefined : parseOAuthScopesHeader(header);
  const detail = response.ok
    ? 'GitHub accepted the token'
    : response.status === 401
      ? 'GitHub rejected the token (HTTP 401)'
      : `GitHub answered HTTP ${response.status}`;
  return {
    reachable: true,
    status: response.status,
    detail,
    ...(response.ok && grantedScopes ? { grantedScopes } : {}),
  };
}
