import { StoreError } from '../../errors/index.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string (any version). Lookups by a non-UUID id find nothing instead of failing. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** @throws StoreError `STORE_INVALID_INPUT` when `value` is not a UUID; the message names the field only. */
export function assertUuid(value: unknown, field: string): asserts value is string {
  if (!isUuid(value)) throw new StoreError('STORE_INVALID_INPUT', `${field} must be a UUID`);
}

/** @throws StoreError `STORE_INVALID_INPUT` when `limit` is not an integer in 1..`max`. */
export function assertLimit(limit: number, max = 500): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new StoreError('STORE_INVALID_INPUT', `limit must be an integer between 1 and ${max}`);
  }
}
