import { decodeTextBase64Url, encodeTextBase64Url } from '../../crypto/base64.js';
import { StoreError } from '../../errors/index.js';
import { isUuid } from './validate.js';

/** Position after the last item of a page of instances: creation time, then id. */
export interface InstanceCursor {
  createdAt: Date;
  instanceId: string;
}

/** Opaque cursor: base64url of `["i1", createdAt ISO, instanceId]`. */
export function encodeInstanceCursor(cursor: InstanceCursor): string {
  return encodeTextBase64Url(JSON.stringify(['i1', cursor.createdAt.toISOString(), cursor.instanceId]));
}

/** @throws StoreError `STORE_INVALID_INPUT` when the cursor was not made by {@link encodeInstanceCursor}. */
export function decodeInstanceCursor(cursor: string): InstanceCursor {
  const text = decodeTextBase64Url(cursor);
  let parsed: unknown;
  try {
    parsed = text === null ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === 'i1' && typeof parsed[1] === 'string') {
    const createdAt = new Date(parsed[1]);
    if (!Number.isNaN(createdAt.getTime()) && isUuid(parsed[2])) return { createdAt, instanceId: parsed[2] };
  }
  throw new StoreError('STORE_INVALID_INPUT', 'cursor is not a valid page cursor');
}
