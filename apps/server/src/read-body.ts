import type { IncomingMessage } from 'node:http';

/** Result of {@link readBody}. */
export type BodyResult =
  | { outcome: 'ok'; bytes: Uint8Array<ArrayBuffer> | null }
  | { outcome: 'too_large' }
  | { outcome: 'aborted' };

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Reads a request body into memory, stopping as soon as it would exceed `maxBytes`. A declared
 * `Content-Length` above the limit is refused before reading anything. `GET`/`HEAD` (and bodies of length 0
 * on `OPTIONS`/`TRACE`) give `null`.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const method = req.method ?? 'GET';
  const declared = req.headers['content-length'];
  const hasBody = declared !== undefined ? declared !== '0' : req.headers['transfer-encoding'] !== undefined;
  if (method === 'GET' || method === 'HEAD' || (BODYLESS.has(method) && !hasBody)) {
    return { outcome: 'ok', bytes: null };
  }
  if (declared !== undefined && Number(declared) > maxBytes) return { outcome: 'too_large' };
  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: BodyResult) => {
      req.off('data', onData).off('end', onEnd).off('error', onAborted).off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      // Not destroyed: the socket must stay open long enough to carry the 413 answer.
      if (size > maxBytes) settle({ outcome: 'too_large' });
      else chunks.push(chunk);
    };
    const onEnd = () => settle({ outcome: 'ok', bytes: new Uint8Array(Buffer.concat(chunks, size)) });
    const onAborted = () => settle({ outcome: 'aborted' });
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    req.on('data', onData).once('end', onEnd).once('error', onAborted).once('close', onClose);
  });
}
