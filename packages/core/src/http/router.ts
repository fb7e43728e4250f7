/** HTTP methods the router dispatches. `HEAD` is served by `GET` routes. */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** One entry of a route table: `pattern` segments are literals or `:name` parameters (`/api/v1/instances/:id`). */
export interface Route<H> {
  method: HttpMethod;
  pattern: string;
  handler: H;
}

/** Outcome of {@link Router.match}. */
export type RouteMatch<H> =
  | { kind: 'found'; handler: H; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: HttpMethod[] }
  | { kind: 'not_found' };

/** A compiled route table. */
export interface Router<H> {
  /** Finds the first route whose pattern and method match; parameters are percent-decoded. */
  match(method: string, pathname: string): RouteMatch<H>;
}

type Segment = { literal: string } | { param: string };

function compile(pattern: string): Segment[] {
  return pattern
    .split('/')
    .slice(1)
    .map((part) => (part.startsWith(':') ? { param: part.slice(1) } : { literal: part }));
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const part = parts[index] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== part) return null;
    } else {
      if (part === '') return null;
      params[segment.param] = part;
    }
  }
  return params;
}

function decodeParams(raw: Record<string, string>): Record<string, string> | null {
  const decoded: Record<string, string> = {};
  try {
    for (const [name, value] of Object.entries(raw)) decoded[name] = decodeURIComponent(value);
  } catch {
    return null;
  }
  return decoded;
}

/**
 * Compiles a route table into a tiny first-match router. Paths match exactly: no trailing slash, no empty
 * segment. A path that matches a pattern under another method yields `method_not_allowed` with `allow`.
 *
 * @example
 * ```ts
 * const router = createRouter([{ method: 'GET', pattern: '/api/v1/instances/:id', handler: getInstance }]);
 * router.match('GET', '/api/v1/instances/42'); // { kind: 'found', handler: getInstance, params: { id: '42' } }
 * ```
 */
export function createRouter<H>(routes: readonly Route<H>[]): Router<H> {
  const compiled = routes.map((route) => ({ ...route, segments: compile(route.pattern) }));
  return {
    match(method, pathname) {
      const parts = pathname.split('/').slice(1);
      const effective = method === 'HEAD' ? 'GET' : method;
      const allow = new Set<HttpMethod>();
      for (const route of compiled) {
        const raw = matchSegments(route.segments, parts);
        if (raw === null) continue;
        if (route.method !== effective) {
          allow.add(route.method);
          continue;
        }
        const params = decodeParams(raw);
        if (params === null) return { kind: 'not_found' };
        return { kind: 'found', handler: route.handler, params };
      }
      return allow.size > 0 ? { kind: 'method_not_allowed', allow: [...allow] } : { kind: 'not_found' };
    },
  };
}
