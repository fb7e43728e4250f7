import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type FakeRequest, parseTokenAuth, sendJson } from './http.js';
import type { RouteContext } from './oauth-routes.js';
import type { FakeRepo } from './repo-types.js';
import { findLiveToken } from './state.js';

const RATE_LIMIT = 5000;
const DOCS = 'https://docs.github.com/rest';

/** Who calls a REST route. */
export interface RestCaller {
  /** `null`: no `Authorization` header (anonymous). */
  login: string | null;
  /** Classic OAuth scopes; `null` for GitHub App user tokens, which use permissions instead. */
  scopes: string[] | null;
}

/** A REST answer in the making: the request, its caller and the headers every answer carries. */
export interface RestExchange {
  ctx: RouteContext;
  req: FakeRequest;
  res: ServerResponse;
  caller: RestCaller;
  /** `X-Accepted-OAuth-Scopes` of the route. */
  accepted: string;
  /** Rate-limit bucket (`core`, `search`, `code_search`). */
  resource: string;
}

/** Headers of every REST answer: request id, rate limit, and for OAuth tokens the scope headers. */
export function restHeaders(x: RestExchange): Record<string, string> {
  const now = x.ctx.now();
  const key = x.caller.login ?? '(anonymous)';
  const used = (x.ctx.state.rateLimitUsed.get(key) ?? 0) + 1;
  x.ctx.state.rateLimitUsed.set(key, used);
  return {
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - used)),
    'x-ratelimit-reset': String(Math.ceil(now / 1000) + 3600),
    'x-ratelimit-used': String(used),
    'x-ratelimit-resource': x.resource,
    ...(x.caller.scopes !== null && x.caller.login !== null
      ? { 'x-oauth-scopes': x.caller.scopes.join(', '), 'x-accepted-oauth-scopes': x.accepted }
      : {}),
  };
}

/** Sends a JSON answer with the REST headers (and a `Link` header when given). */
export function sendRest(x: RestExchange, status: number, body: unknown, link?: string | null): void {
  sendJson(x.res, status, body, { ...restHeaders(x), ...(link ? { link } : {}) });
}

/** Sends GitHub's error shape: `{ message, documentation_url, status }`. */
export function restError(x: RestExchange, status: number, message: string): void {
  sendRest(x, status, { message, documentation_url: DOCS, status: String(status) });
}

/** Sends `422 Validation Failed` with `errors[]` (GitHub's shape for invalid fields). */
export function validationFailed(x: RestExchange, errors: Array<Record<string, string>>): void {
  sendRest(x, 422, { message: 'Validation Failed', errors, documentation_url: DOCS, status: '422' });
}

/**
 * Reads the caller from `Authorization`. An unknown, revoked or expired token gets `401 Bad credentials`
 * (GitHub answers so even on public endpoints); returns `null` after answering.
 */
export function authenticate(ctx: RouteContext, req: FakeRequest, res: ServerResponse): RestCaller | null {
  const token = parseTokenAuth(req.headers);
  if (token === null) return { login: null, scopes: [] };
  const record = findLiveToken(ctx.state, token, ctx.now());
  if (!record) {
    sendJson(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    return null;
  }
  const mode = ctx.state.clients.get(record.clientId)?.mode ?? 'oauth-app';
  return { login: record.login, scopes: mode === 'github-app' ? null : record.scopes };
}

function hasScope(caller: RestCaller, ...wanted: string[]): boolean {
  if (caller.scopes === null) return caller.login !== null;
  return wanted.some((scope) => caller.scopes?.includes(scope));
}

/** Private repositories need `repo` (GitHub App tokens: any installation access, modelled as always). */
export function canRead(caller: RestCaller, repo: FakeRepo): boolean {
  return !repo.private || hasScope(caller, 'repo');
}

/** Writes need `repo`, or `public_repo` on a public repository. */
export function canWrite(caller: RestCaller, repo: FakeRepo): boolean {
  return repo.private ? hasScope(caller, 'repo') : hasScope(caller, 'repo', 'public_repo');
}

/** `page` and `per_page` of a listing request (GitHub: default 30, at most 100). */
export function pageParams(req: FakeRequest): { page: number; perPage: number } {
  const page = Number(req.url.searchParams.get('page') ?? '1');
  const perPage = Number(req.url.searchParams.get('per_page') ?? '30');
  return {
    page: Number.isInteger(page) && page > 0 ? page : 1,
    perPage: Number.isInteger(perPage) && perPage > 0 ? Math.min(perPage, 100) : 30,
  };
}

/** One page of `items` and the `Link` header GitHub would send with it (first/prev/next/last). */
export function pageOf<T>(x: RestExchange, items: readonly T[]): { items: T[]; link: string | null } {
  const { page, perPage } = pageParams(x.req);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const url = (n: number): string => {
    const target = new URL(x.req.url.href);
    target.searchParams.set('per_page', String(perPage));
    target.searchParams.set('page', String(n));
    return `<${target.href}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${url(page - 1)}; rel="prev"`);
  if (page < last) rels.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (page > 1) rels.push(`${url(1)}; rel="first"`);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    link: rels.length > 0 ? rels.join(', ') : null,
  };
}

/** Parses a JSON object body; anything else yields `null`. */
export function jsonBody(req: FakeRequest): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(req.body || 'null');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
