import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** Formats the first zod issue as `field: problem` without echoing the rejected value. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'The request is invalid.';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/**
 * Validates `value` against `schema`.
 * @throws HttpError `INVALID_REQUEST` (400) naming the first offending field.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, 'INVALID_REQUEST', describeIssue(result.error));
  return result.data;
}
