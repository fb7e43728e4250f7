import { InstanceError, RefreshError } from '../errors/index.js';
import { retryAfterSeconds } from '../http/error-map.js';
import { ToolContextError } from './context-error.js';

/** What a tool failure message may mention. */
export interface ToolErrorContext {
  /** Display name of the provider (`GitHub`). */
  providerName: string;
  requestId: string;
}

/** Longest upstream message quoted in a tool result. */
export const MAX_UPSTREAM_MESSAGE_CHARS = 500;

/** Statuses whose upstream message is shown to the model (it names what was wrong with the request). */
const QUOTED_STATUSES = new Set([400, 404, 409, 410, 422]);

/**
 * The fields core reads from a thrown error, duck-typed so provider clients need not import core's classes:
 * `status` (HTTP status of the upstream answer), `retryAfterMs`, `missingScopes` (any one would do),
 * `upstreamMessage` (the provider's own, safe-to-show message) and `code`.
 */
export interface UpstreamErrorFields {
  status?: number;
  retryAfterMs?: number;
  missingScopes?: readonly string[];
  upstreamMessage?: string;
  code?: string;
  name?: string;
}

/** Reads the {@link UpstreamErrorFields} of anything thrown; wrong types are ignored. */
export function upstreamFields(error: unknown): UpstreamErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const record = error as Record<string, unknown>;
  const fields: UpstreamErrorFields = {};
  if (typeof record.status === 'number') fields.status = record.status;
  if (typeof record.retryAfterMs === 'number') fields.retryAfterMs = record.retryAfterMs;
  if (Array.isArray(record.missingScopes)) {
    fields.missingScopes = record.missingScopes.filter((scope): scope is string => typeof scope === 'string');
  }
  if (typeof record.upstreamMessage === 'string') fields.upstreamMessage = record.upstreamMessage;
  if (typeof record.code === 'string') fields.code = record.code;
  if (typeof record.name === 'string') fields.name = record.name;
  return fields;
}

/** `ToolContextError` codes about the client, whose message is shown to the model. */
const CLIENT_PROBLEMS = new Set<ToolContextError['code']>([
  'MCP_SESSION_REQUIRED',
  'MCP_CLIENT_CAPABILITY_MISSING',
  'MCP_CLIENT_REQUEST_FAILED',
]);

/** Single line, at most {@link MAX_UPSTREAM_MESSAGE_CHARS} characters. */
function trimMessage(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_UPSTREAM_MESSAGE_CHARS
    ? line
    : `${line.slice(0, MAX_UPSTREAM_MESSAGE_CHARS - 1)}…`;
}

function retryAfter(ms: number | undefined): string {
  return `retry after ${retryAfterSeconds(ms)} s`;
}

function isRateLimited(fields: UpstreamErrorFields): boolean {
  return fields.status === 429 || /RATE_LIMIT/.test(fields.code ?? '');
}

function isUnavailable(fields: UpstreamErrorFields): boolean {
  const { status, code = '', name } = fields;
  return (
    name === 'BreakerOpen' ||
    /_(UNREACHABLE|UNAVAILABLE|TIMEOUT)$/.test(code) ||
    (status !== undefined && status >= 500 && status <= 599)
  );
}

/**
 * Turns a tool failure into a message a model can act on — the one place where that happens:
 * - reconnect: `InstanceError` needs_reauth / not active, a terminal `RefreshError`, or an upstream 401 still
 *   standing after token recovery;
 * - missing scope: 403 with `missingScopes` → names them;
 * - rate limited (429, a `…RATE_LIMIT…` code) → "rate limited, retry after N s";
 * - temporarily unavailable: `REFRESH_TRANSIENT`, an open breaker, `…_UNREACHABLE`, 5xx;
 * - 400/404/409/410/422 → the upstream message, single-line and at most 500 characters;
 * - a `ToolContextError` about the client (no session, a capability it lacks, its answer to a sampling or
 *   elicitation request failed) → its message;
 * - anything else → a generic message with the request id (details belong in the log only).
 */
export function toolErrorMessage(error: unknown, context: ToolErrorContext): string {
  const provider = context.providerName;
  const reconnect = `This ${provider} account must be reconnected before it can be used. Ask the user to re-authorize the connection, then retry.`;
  const unavailable = (ms: number | undefined) =>
    `${provider} is temporarily unavailable; ${retryAfter(ms)}.`;
  if (error instanceof InstanceError) {
    if (error.code === 'INSTANCE_NEEDS_REAUTH' || error.code === 'INSTANCE_NOT_ACTIVE') return reconnect;
    if (error.code === 'INSTANCE_NOT_FOUND') return 'This connection no longer exists.';
  }
  if (error instanceof RefreshError) {
    return error.code === 'REFRESH_TRANSIENT' ? unavailable(error.retryAfterMs) : reconnect;
  }
  if (error instanceof ToolContextError && CLIENT_PROBLEMS.has(error.code)) return trimMessage(error.message);
  const fields = upstreamFields(error);
  if (fields.status === 401) return reconnect;
  if (fields.missingScopes !== undefined && fields.missingScopes.length > 0 && !isRateLimited(fields)) {
    const scopes = fields.missingScopes.map((scope) => `\`${scope}\``).join(' or ');
    return `The ${provider} connection lacks a required scope: it needs ${scopes}. Ask the user to reconnect granting it.`;
  }
  if (isRateLimited(fields)) return `${provider} API: rate limited, ${retryAfter(fields.retryAfterMs)}.`;
  if (isUnavailable(fields)) return unavailable(fields.retryAfterMs);
  if (fields.status !== undefined && QUOTED_STATUSES.has(fields.status)) {
    const detail = trimMessage(fields.upstreamMessage ?? '');
    return detail === ''
      ? `${provider} answered ${fields.status}.`
      : `${provider} answered ${fields.status}: ${detail}`;
  }
  if (fields.status === 403) {
    const detail = trimMessage(fields.upstreamMessage ?? '');
    return `${provider} refused the request (403)${detail === '' ? '.' : `: ${detail}`}`;
  }
  return `The tool failed unexpectedly (request id ${context.requestId}).`;
}

/** The result text of a tool call refused by the per-instance rate limit. */
export function rateLimitedMessage(retryAfterMs: number): string {
  return `Rate limited: too many tool calls on this connection; ${retryAfter(Math.max(retryAfterMs, 1))}.`;
}
