import type { Logger } from '../util/types.js';
import { type MappedError, mapError } from './error-map.js';

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, code: typeof code === 'string' ? code : undefined, message: error.message };
}

/**
 * Maps an error with {@link mapError} and logs it at the level the mapping asks for. Core error messages carry
 * no secrets; for unknown errors the stack is logged too, and nothing of it reaches the response.
 */
export function mapAndLog(error: unknown, requestId: string, logger: Logger): MappedError {
  const mapped = mapError(error, requestId);
  const fields = { requestId, status: mapped.status, err: describe(error) };
  if (mapped.log === 'error') {
    logger.error({ ...fields, stack: error instanceof Error ? error.stack : undefined }, 'request failed');
  } else if (mapped.log === 'warn') {
    logger.warn(fields, 'request failed');
  }
  return mapped;
}
