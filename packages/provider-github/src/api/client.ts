import type { FetchLike } from '@org/mcp-oauth-core';
import { GitHubApiError } from './errors.js';
import { type GitHubRequest, githubFetch, toGitHubApiError } from './request.js';

/** HTTP methods the client sends. */
export type GitHubMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query parameters; `undefined` values are left out. */
export type GitHubQuery = Record<string, string | number | boolean | undefined>;

/** Retry policy for idempotent requests (GET/HEAD) that failed with a 5xx or no answer. */
export interface GitHubRetryOptions {
  /** Retries after the first attempt. @default 2 */
  retries?: number;
  /** Delay before the first retry; doubles each time, with equal jitter. @default 200 */
  baseDelayMs?: number;
  /** Cap of one delay. @default 2000 */
  maxDelayMs?: number;
}

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  /** `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  apiUrl: string;
  /** User access token, sent as `Authorization: Bearer`. Never logged nor put in errors. */
  accessToken: string;
  fetch: FetchLike;
  /** Aborts requests and pending retries. */
  signal?: AbortSignal;
  /** Clock for `retryAfterMs`. @default Date.now */
  now?: () => number;
  retry?: GitHubRetryOptions;
  /** Random source for jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /** Waits between retries. @default a timer that the signal cancels */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A parsed GitHub answer. */
export interface GitHubResponse<T> {
  /** Parsed JSON body; `null` for an empty body (204). */
  data: T;
  status: number;
  headers: Headers;
}

/** Options of one {@link GitHubClient.request}. */
export interface GitHubRequestOptions {
  query?: GitHubQuery;
  /** Sent as JSON. */
  body?: unknown;
  /** Media type to ask for (`application/vnd.github.text-match+json`, …). */
  accept?: string;
}

/** A GitHub REST client bound to one token. */
export interface GitHubClient {
  /**
   * Sends a request and parses the JSON answer. GET and HEAD are retried (bounded, jittered) on 5xx and network
   * failures; writes never are, since GitHub may have applied them.
   * @throws GitHubApiError on a non-2xx answer or no answer.
   */
  request<T>(method: GitHubMethod, path: string, options?: GitHubRequestOptions): Promise<GitHubResponse<T>>;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function parseJson<T>(response: Response, method: string, path: string): Promise<T> {
  const text = await response.text();
  if (text.trim() === '') return null as T;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new GitHubApiError('GITHUB_API_ERROR', `GitHub ${method} ${path} returned invalid JSON.`, {
      cause,
      status: response.status,
    });
  }
}

/**
 * Creates a small fetch-based GitHub REST client (see the package README for why not Octokit): base URL with
 * GHES `/api/v3` support, `User-Agent`, `Accept: application/vnd.github+json`, `X-GitHub-Api-Version`, Bearer
 * token, JSON bodies, error classification ({@link GitHubApiError}) and retries for idempotent requests only.
 *
 * @example
 * ```ts
 * const client = createGitHubClient({ apiUrl: 'https://api.github.com', accessToken, fetch });
 * const { data } = await client.request<{ login: string }>('GET', '/user');
 * ```
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const retries = Math.max(0, options.retry?.retries ?? 2);
  const baseDelay = options.retry?.baseDelayMs ?? 200;
  const maxDelay = options.retry?.maxDelayMs ?? 2000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;

  function delay(attempt: number): number {
    const ceiling = Math.min(maxDelay, baseDelay * 2 ** attempt);
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  return {
    async request<T>(method: GitHubMethod, path: string, request: GitHubRequestOptions = {}) {
      const idempotent = method === 'GET' || method === 'HEAD';
      const init: GitHubRequest = {
        apiUrl: options.apiUrl,
        path,
        method,
        accessToken: options.accessToken,
        fetch: options.fetch,
        now,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(request.query ? { query: request.query } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(request.accept ? { accept: request.accept } : {}),
      };
      for (let attempt = 0; ; attempt += 1) {
        const canRetry = idempotent && attempt < retries && !options.signal?.aborted;
        let response: Response;
        try {
          response = await githubFetch(init);
        } catch (error) {
          if (!canRetry || options.signal?.aborted) throw error;
          await sleep(delay(attempt), options.signal);
          continue;
        }
        if (response.ok) {
          const data = await parseJson<T>(response, method, path);
          return { data, status: response.status, headers: response.headers };
        }
        if (canRetry && RETRYABLE_STATUS.has(response.status)) {
          await response.body?.cancel().catch(() => undefined);
          await sleep(delay(attempt), options.signal);
          continue;
        }
        throw await toGitHubApiError(response, method, path, now);
      }
    },
  };
}
