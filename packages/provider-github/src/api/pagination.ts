/** One relation of a `Link` header. */
export interface LinkRelation {
  url: string;
  /** The `page` query parameter of the URL, when it has a numeric one. */
  page: number | null;
}

/** Pages of a paginated answer, as read from its `Link` header. */
export interface PageInfo {
  page: number;
  perPage: number;
  /** Page to ask for next; `null` on the last page. */
  nextPage: number | null;
  /** Number of the last page when GitHub names it (not on cursor-paginated endpoints). */
  lastPage: number | null;
}

/**
 * Parses an RFC 8288 `Link` header as GitHub sends it:
 * `<https://api.github.com/repos/o/r/issues?page=2>; rel="next", <…?page=5>; rel="last"`.
 */
export function parseLinkHeader(header: string | null | undefined): Record<string, LinkRelation> {
  const out: Record<string, LinkRelation> = {};
  if (!header) return out;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match?.[1] || match[2] === undefined) continue;
    const rel = /\brel\s*=\s*"?([^";]+)"?/i.exec(match[2])?.[1];
    if (!rel) continue;
    let page: number | null = null;
    try {
      const raw = new URL(match[1]).searchParams.get('page');
      page = raw !== null && /^\d+$/.test(raw) ? Number(raw) : null;
    } catch {
      page = null;
    }
    for (const name of rel.trim().split(/\s+/)) out[name.toLowerCase()] = { url: match[1], page };
  }
  return out;
}

/** Page numbers of an answer to a request for `page` with `perPage` items. */
export function pageInfo(headers: Headers, page: number, perPage: number): PageInfo {
  const links = parseLinkHeader(headers.get('link'));
  return {
    page,
    perPage,
    nextPage: links.next ? (links.next.page ?? page + 1) : null,
    lastPage: links.last?.page ?? (links.next ? null : page),
  };
}
