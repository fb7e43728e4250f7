import { McpOAuthError, StoreError, type StoreErrorCode } from '../../errors/index.js';

/** Fields of a driver error that never carry parameter values or row data. */
const SAFE_FIELDS = [
  'code',
  'severity',
  'schema',
  'table',
  'column',
  'constraint',
  'routine',
  'errno',
  'syscall',
];

/** A driver error reduced to fields that cannot leak parameter values (no message, detail, query or params). */
export class DriverError extends Error {
  /** SQLSTATE (`23505`) or system error code (`ECONNREFUSED`) when the driver reported one. */
  readonly code: string | undefined;
  /** The other safe fields: severity, schema, table, column, constraint, routine, errno, syscall. */
  readonly fields: Readonly<Record<string, string>>;

  constructor(code: string | undefined, fields: Record<string, string>) {
    const where = fields.constraint ?? fields.table;
    super(`Driver error${code ? ` ${code}` : ''}${where ? ` on ${where}` : ''}`);
    this.name = 'DriverError';
    this.code = code;
    this.fields = Object.freeze(fields);
  }
}

/**
 * Turns any thrown value into a {@link DriverError} holding only safe fields. Postgres messages and details
 * can quote input values (`invalid input syntax for type uuid: "…"`, `Key (key_hash)=(…)`), and PGlite
 * errors carry the query parameters, so none of those are kept. Errors of our own family pass through.
 */
export function sanitizeDriverError(error: unknown): Error {
  if (error instanceof McpOAuthError) return error;
  const fields: Record<string, string> = {};
  if (typeof error === 'object' && error !== null) {
    for (const name of SAFE_FIELDS) {
      const value = (error as Record<string, unknown>)[name];
      if (typeof value === 'string' || typeof value === 'number') fields[name] = String(value);
    }
    const nested = (error as { errors?: unknown }).errors;
    if (fields.code === undefined && Array.isArray(nested) && nested.length > 0) {
      // AggregateError from `net` when every address of the host refused the connection.
      return sanitizeDriverError(nested[0]);
    }
  }
  const { code, ...rest } = fields;
  return new DriverError(code, rest);
}

function classify(code: string | undefined): StoreErrorCode {
  if (code === '23505') return 'STORE_DUPLICATE';
  if (code === '23503') return 'STORE_NOT_FOUND';
  if (code === '40001' || code === '40P01') return 'STORE_CONFLICT';
  if (code !== undefined && /^(22|23)/.test(code)) return 'STORE_INVALID_INPUT';
  return 'STORE_UNAVAILABLE';
}

/**
 * Maps a driver failure of `operation` (e.g. `instances.create`) to a {@link StoreError}: unique violation →
 * `STORE_DUPLICATE`, foreign-key violation → `STORE_NOT_FOUND`, serialization failure or deadlock →
 * `STORE_CONFLICT`, other data errors → `STORE_INVALID_INPUT`, everything else (connection refused, timeouts,
 * server shutting down) → `STORE_UNAVAILABLE`. The message names the operation and the SQLSTATE only.
 */
export function toStoreError(error: unknown, operation: string): McpOAuthError {
  if (error instanceof McpOAuthError) return error;
  const cause = sanitizeDriverError(error);
  const code = cause instanceof DriverError ? cause.code : undefined;
  const storeCode = classify(code);
  return new StoreError(storeCode, `Store operation ${operation} failed (${code ?? 'no driver code'})`, {
    cause,
  });
}

/** Runs `fn`, mapping driver failures with {@link toStoreError}. */
export async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error, operation);
  }
}
