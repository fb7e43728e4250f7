import { z } from 'zod';

/** No `.` or `..` path segment and no control character: a value that cannot step out of its URL path. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this pattern refuses.
const SAFE_SEGMENTS = /^(?![\s\S]*(?:^|\/)\.{1,2}(?:\/|$))[^\u0000-\u001f\u007f]*$/;

/** `owner` argument (github-mcp-server name). */
export const ownerArg = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/)
  .describe('Repository owner (username or organization)');

/** `repo` argument. */
export const repoArg = z
  .string()
  .min(1)
  .max(100)
  .regex(/^(?!\.{1,2}$)[A-Za-z0-9_.-]+$/)
  .describe('Repository name');

/** `page` argument: 1-based. */
export const pageArg = z
  .number()
  .int()
  .min(1)
  .max(10_000)
  .default(1)
  .describe('Page number for pagination (min 1)');

/** `perPage` argument: 1..100, GitHub's default 30. */
export const perPageArg = z
  .number()
  .int()
  .min(1)
  .max(100)
  .default(30)
  .describe('Results per page for pagination (min 1, max 100)');

/** Issue or pull request number. */
export const numberArg = z.number().int().min(1).max(2_147_483_647);

/** A search query in GitHub's search syntax (GitHub refuses queries over 256 characters). */
export const searchQueryArg = z.string().min(1).max(256);

/** `order` of search results. */
export const orderArg = z.enum(['asc', 'desc']).describe('Sort order');

/** A branch, tag or commit SHA. */
export const refArg = z.string().min(1).max(255).regex(SAFE_SEGMENTS);

/** A path inside a repository. */
export const filePathArg = z.string().max(1024).regex(SAFE_SEGMENTS);

/** Markdown body of an issue, pull request or comment (GitHub's limit is 65,536 characters). */
export const bodyArg = z.string().max(65_536);

/** Title of an issue or pull request (GitHub's limit is 256 characters). */
export const titleArg = z.string().min(1).max(256);

/** GitHub logins (assignees, reviewers); GitHub allows at most 10 assignees. */
export const loginsArg = z.array(z.string().min(1).max(100)).max(10);

/** Label names (at most 50 characters each). */
export const labelsArg = z.array(z.string().min(1).max(50)).max(100);

/** An ISO 8601 timestamp or date, as GitHub's `since`/`until` accept. */
export const isoDateArg = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/);
