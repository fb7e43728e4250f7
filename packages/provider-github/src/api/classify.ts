import { parseRetryAfter } from '@org/mcp-oauth-core';
import { GitHubApiError } from './errors.js';
import { parseScopeList, satisfiesScopes } from './scopes.js';

const TOKEN_LIKE = /\b(?:gh[opusr]_|github_pat_)[A-Za-z0-9_]+/g;
const MAX_MESSAGE = 300;
/** GitHub asks to wait "at least one minute" after a secondary rate limit that names no time. */
const SECONDARY_RATE_LIMIT_WAIT_MS = 60_000;

/** Bounded, single-line, with anything token-shaped removed. */
export function sanitizeMessage(text: string, max = MAX_MESSAGE): string {
  const clean = text.replace(TOKEN_LIKE, '[redacted]').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function describeValidationError(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return '';
  const e = entry as Record<string, unknown>;
  if (typeof e.message === 'string' && e.message) return e.message;
  const field = typeof e.field === 'string' ? e.field : undefined;
  const code = typeof e.code === 'string' ? e.code : 'invalid';
  const value = typeof e.value === 'string' || typeof e.value === 'number' ? ` "${String(e.value)}"` : '';
  return field ? `${field}${value}: ${code}` : code;
}

/** GitHub's `message` plus, for validation failures, what each `errors[]` entry says. */
export function upstreamDetail(body: unknown, fallbackText: string): string {
  if (!body || typeof body !== 'object') return sanitizeMessage(fallbackText);
  const b = body as Record<string, unknown>;
  const message = typeof b.message === 'string' ? b.message : '';
  const errors = Array.isArray(b.errors) ? b.errors.map(describeValidationError).filter(Boolean) : [];
  return sanitizeMessage(errors.length > 0 ? `${message}: ${errors.join('; ')}` : message);
}

async function readBody(response: Response): Promise<{ json: unknown; text: string }> {
  const text = await response.text().catch(() => '');
  try {
    return { json: JSON.parse(text), text };
  } catch {
    // HTML error pages (the "unicorn") carry nothing a model can use.
    return { json: null, text: (response.headers.get('content-type') ?? '').includes('html') ? '' : text };
  }
}

function isRateLimit(status: number, headers: Headers, detail: string): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return (
    headers.get('x-ratelimit-remaining') === '0' ||
    headers.has('retry-after') ||
    /secondary rate limit|abuse detection/i.test(detail)
  );
}

/**
 * Turns a non-2xx GitHub answer into a {@link GitHubApiError} (consumes the body): 401 → `GITHUB_UNAUTHORIZED`;
 * 429/403 rate limits (primary and secondary) → `GITHUB_RATE_LIMITED` with `retryAfterMs`; 403 with an
 * unsatisfied `X-Accepted-OAuth-Scopes` → `GITHUB_MISSING_SCOPE`; anything else → `GITHUB_API_ERROR` with
 * GitHub's message (and the failing fields of a 422).
 */
export async function toGitHubApiError(
  response: Response,
  method: string,
  path: string,
  now: () => number = Date.now,
): Promise<GitHubApiError> {
  const { json, text } = await readBody(response);
  const detail = upstreamDetail(json, text);
  const { status, headers } = response;
  const prefix = `GitHub ${method} ${path} failed with HTTP ${status}`;
  const base = { status, ...(detail ? { upstreamMessage: detail } : {}) };
  const withDetail = `${prefix}${detail ? `: ${detail}` : ''}`;
  if (status === 401) return new GitHubApiError('GITHUB_UNAUTHORIZED', withDetail, base);
  if (isRateLimit(status, headers, detail)) {
    const secondary = /secondary rate limit|abuse detection/i.test(detail);
    const retryAfterMs =
      parseRetryAfter(headers, now()) ?? (secondary ? SECONDARY_RATE_LIMIT_WAIT_MS : undefined);
    return new GitHubApiError('GITHUB_RATE_LIMITED', withDetail, {
      ...base,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  const accepted = parseScopeList(headers.get('x-accepted-oauth-scopes')) ?? [];
  const granted = parseScopeList(headers.get('x-oauth-scopes'));
  const scopeMissing = granted !== null && !satisfiesScopes(granted, accepted);
  if (status === 403 && scopeMissing) {
    const needed = accepted.map((s) => `"${s}"`).join(' or ');
    return new GitHubApiError(
      'GITHUB_MISSING_SCOPE',
      `${prefix}: the connection needs the ${needed} scope (granted: ${granted.join(', ') || 'none'})`,
      { ...base, missingScopes: accepted },
    );
  }
  if (status === 404 && scopeMissing) {
    // GitHub hides private resources behind a 404 when the token lacks the scope to see them.
    const hint = `if it is private, the connection needs the "${accepted.join('" or "')}" scope`;
    return new GitHubApiError('GITHUB_API_ERROR', `${withDetail} (${hint})`, {
      ...base,
      upstreamMessage: `${detail || 'Not Found'} (${hint})`,
    });
  }
  return new GitHubApiError('GITHUB_API_ERROR', withDetail, base);
}
