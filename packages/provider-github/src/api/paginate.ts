import type { GitHubClient, GitHubQuery } from './client.js';
import { type PageInfo, pageInfo } from './pagination.js';

/** Options of {@link paginate}. */
export interface PaginateOptions<T> {
  /** 1-based page to fetch. */
  page: number;
  /** Items per page, 1..100. */
  perPage: number;
  query?: GitHubQuery;
  accept?: string;
  /** Picks the items from the body; default: the body itself when it is an array, else its `items`. */
  itemsOf?: (data: unknown) => readonly T[];
}

/** One page of a paginated GitHub listing. */
export interface Page<T> extends PageInfo {
  items: T[];
  /** `total_count` of search answers; `null` for plain listings. */
  totalCount: number | null;
  /** `incomplete_results` of search answers (the search timed out upstream); `false` otherwise. */
  incompleteResults: boolean;
}

function defaultItems<T>(data: unknown): readonly T[] {
  if (Array.isArray(data)) return data as T[];
  if (data && typeof data === 'object' && Array.isArray((data as { items?: unknown }).items)) {
    return (data as { items: T[] }).items;
  }
  return [];
}

/**
 * Fetches one page of a GitHub listing (`page`/`per_page` query parameters) and reads the next and last page
 * numbers from the `Link` header, so the tool can tell the model which page to ask for next.
 */
export async function paginate<T>(
  client: GitHubClient,
  path: string,
  options: PaginateOptions<T>,
): Promise<Page<T>> {
  const { data, headers } = await client.request<unknown>('GET', path, {
    query: { ...options.query, page: options.page, per_page: options.perPage },
    ...(options.accept ? { accept: options.accept } : {}),
  });
  const items = [...(options.itemsOf ?? defaultItems<T>)(data)];
  const record =
    data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  return {
    items,
    ...pageInfo(headers, options.page, options.perPage),
    totalCount: typeof record.total_count === 'number' ? record.total_count : null,
    incompleteResults: record.incomplete_results === true,
  };
}
