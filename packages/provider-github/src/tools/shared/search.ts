import { z } from 'zod';
import type { Page } from '../../api/paginate.js';
import { pageFields } from './render.js';

/** Output schema shared by the search tools: GitHub's search envelope around `item`, plus our page fields. */
export function searchOutput<T extends z.ZodType>(item: T) {
  return z.object({
    total_count: z.number().int(),
    incomplete_results: z.boolean().describe('True when GitHub stopped searching early (a timeout)'),
    items: z.array(item),
    page: z.number().int(),
    perPage: z.number().int(),
    nextPage: z.number().int().nullable().describe('Page to ask for next; null on the last page'),
  });
}

/** Structured result of a search tool from a fetched page and its mapped items. */
export function searchResult<I>(result: Page<unknown>, items: I[]) {
  return {
    total_count: result.totalCount ?? items.length,
    incomplete_results: result.incompleteResults,
    items,
    ...pageFields(result),
  };
}
