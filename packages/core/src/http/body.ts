import type { z } from 'zod';
import { HttpError } from './http-error.js';
import { validate } from './validate.js';

/** Default upper bound of a JSON request body. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${maxBytes} bytes.`);
}

function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/** Reads the body as bytes, stopping (and cancelling the stream) as soon as it grows past `maxBytes`. */
async function readBounded(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads, parses and validates a JSON request body.
 *
 * An absent or empty body counts as `{}` (so routes whose fields are all optional accept a bare POST). A declared
 * `Content-Length` over the limit is refused before reading; otherwise the stream is counted while read.
 *
 * @throws HttpError `PAYLOAD_TOO_LARGE` (413), `UNSUPPORTED_MEDIA_TYPE` (415), `INVALID_JSON` (400),
 *   `INVALID_REQUEST` (400, the message names the offending field).
 */
export async function readJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes: number,
): Promise<z.output<S>> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    if (!/^\d{1,15}$/.test(declared.trim())) {
      throw new HttpError(400, 'INVALID_REQUEST', 'The Content-Length header is malformed.');
    }
    if (Number(declared.trim()) > maxBytes) throw tooLarge(maxBytes);
  }
  const contentType = request.headers.get('content-type');
  if (contentType !== null && !isJsonMediaType(contentType)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.');
  }
  const bytes = await readBounded(request, maxBytes);
  if (bytes.byteLength > 0 && contentType === null) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.');
  }
  let parsed: unknown = {};
  if (bytes.byteLength > 0) {
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new HttpError(400, 'INVALID_JSON', 'The request body is not valid JSON.');
    }
  }
  return validate(schema, parsed);
}
