import type { PageInfo } from '../../api/pagination.js';

/** Fields every paginated tool output carries. */
export interface PageFields {
  page: number;
  perPage: number;
  nextPage: number | null;
}

/** The page fields of a tool output. */
export function pageFields(info: PageInfo): PageFields {
  return { page: info.page, perPage: info.perPage, nextPage: info.nextPage };
}

/** The line telling the model how to get more results, or that there are none. */
export function pageHint(info: PageFields): string {
  return info.nextPage === null
    ? `Page ${info.page}; no more results.`
    : `Page ${info.page}; more results: call again with page: ${info.nextPage}.`;
}

/** A heading, one line per item (or a placeholder) and the page hint. */
export function renderList<T>(
  heading: string,
  items: readonly T[],
  line: (item: T) => string,
  page?: PageFields,
): string {
  const body = items.length === 0 ? ['(none)'] : items.map((item) => `- ${line(item)}`);
  return [heading, ...body, ...(page ? [pageHint(page)] : [])].join('\n');
}

/** `text…` when a text was cut. */
export function ellipsis(text: string | null, truncated: boolean): string {
  return `${text ?? ''}${truncated ? '…' : ''}`;
}
