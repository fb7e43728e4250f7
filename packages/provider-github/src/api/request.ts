import { type ClientCredentials, type FetchLike, isRateLimited, parseRetryAfter } from '@org/mcp-oauth-core';
import { GitHubApiError } from './errors.js';

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
    accept: 'application/vnd.github+json',
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

const TOKEN_LIKE = /\b(?:gh[opusr]_|github_pat_)[A-Za-z0-9_]+/g;

/** GitHub's error `message`, bounded, single-line and with anything token-shaped removed. */
async function upstreamMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  let message = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') {
      message = parsed.message;
    }
  } catch {
    message = (response.headers.get('content-type') ?? '').includes('html') ? '' : text;
  }
  return message.replace(TOKEN_LIKE, '[redacted]').replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Turns a non-2xx GitHub answer into a {@link GitHubApiError} (consumes the body). */
export async function toGitHubApiError(
  response: Response,
  method: string,
  path: string,
  now: () => number = Date.now,
): Promise<GitHubApiError> {
  const message = await upstreamMessage(response);
  const status = response.status;
  const retryAfterMs = parseRetryAfter(response.headers, now());
  const text = `GitHub ${method} ${path} failed with HTTP ${status}${message ? `: ${message}` : ''}`;
  const options = { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status === 401) return new GitHubApiError('GITHUB_UNAUTHORIZED', text, options);
  if (isRateLimited(status, response.headers))
    return new GitHubApiError('GITHUB_RATE_LIMITED', text, options);
  return new GitHubApiError('GITHUB_API_ERROR', text, options);
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
