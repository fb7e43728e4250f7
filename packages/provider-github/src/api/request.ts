import type { ClientCredentials, FetchLike } from '@org/mcp-oauth-core';
import { toGitHubApiError } from './classify.js';
import { GitHubApiError } from './errors.js';

export { toGitHubApiError } from './classify.js';

/** REST API version we speak; GitHub answers with the behaviour of this date. */
export const GITHUB_API_VERSION = '2022-11-28';
/** GitHub refuses API requests without a User-Agent. */
export const GITHUB_USER_AGENT = 'mcp-oauth';

/** One GitHub REST request. */
export interface GitHubRequest {
  /** API base URL (`https://api.github.com`, `https://ghe.example.com/api/v3`). */
  apiUrl: string;
  /** Path below the base, starting with `/`. */
  path: string;
  /** @default 'GET' */
  method?: string;
  /** User access token, sent as `Authorization: Bearer`. */
  accessToken?: string;
  /** App credentials, sent as Basic auth (the `/applications/{client_id}/…` endpoints). */
  basicAuth?: ClientCredentials;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Media type to ask for. @default 'application/vnd.github+json' */
  accept?: string;
  fetch: FetchLike;
  signal?: AbortSignal;
  /** Clock for `retryAfterMs`. @default Date.now */
  now?: () => number;
}

function base64(value: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Joins the API base and a path, keeping the base's own path (`/api/v3` on Enterprise Server). */
export function apiEndpoint(apiUrl: string, path: string, query?: GitHubRequest['query']): URL {
  const url = new URL(`${apiUrl.replace(/\/+$/, '')}${path}`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/** Sends a GitHub REST request. Network failures become `GITHUB_UNREACHABLE`; HTTP errors are returned. */
export async function githubFetch(request: GitHubRequest): Promise<Response> {
  const method = request.method ?? 'GET';
  const headers = new Headers({
    accept: request.accept ?? 'application/vnd.github+json',
    'x-github-api-version': GITHUB_API_VERSION,
    'user-agent': GITHUB_USER_AGENT,
  });
  if (request.accessToken !== undefined) headers.set('authorization', `Bearer ${request.accessToken}`);
  if (request.basicAuth) {
    headers.set(
      'authorization',
      `Basic ${base64(`${request.basicAuth.clientId}:${request.basicAuth.clientSecret}`)}`,
    );
  }
  if (request.body !== undefined) headers.set('content-type', 'application/json');
  try {
    return await request.fetch(apiEndpoint(request.apiUrl, request.path, request.query), {
      method,
      headers,
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (cause) {
    throw new GitHubApiError(
      'GITHUB_UNREACHABLE',
      `GitHub could not be reached (${method} ${request.path}).`,
      {
        cause,
      },
    );
  }
}

/** Sends a request and parses the JSON answer. @throws GitHubApiError on a non-2xx answer or no answer. */
export async function githubJson<T>(request: GitHubRequest): Promise<{ data: T; response: Response }> {
  const response = await githubFetch(request);
  const method = request.method ?? 'GET';
  if (!response.ok) throw await toGitHubApiError(response, method, request.path, request.now);
  try {
    return { data: (await response.json()) as T, response };
  } catch (cause) {
    throw new GitHubApiError('GITHUB_API_ERROR', `GitHub ${method} ${request.path} returned invalid JSON.`, {
      cause,
      status: response.status,
    });
  }
}
