import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** A raw HTTP/1.1 response as the socket delivered it. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Options of {@link rawRequest}. */
export interface RawRequestOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** Written in one go, or chunk by chunk (chunked transfer encoding when no content-length header is given). */
  body?: string | string[];
}

/** Collects a response body as text. */
export function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
    });
    res.once('end', () => resolve(text));
    res.once('error', reject);
  });
}

/** Sends one request on a fresh connection (no agent, no keep-alive surprises) and reads the whole answer. */
export function rawRequest(port: number, options: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        readAll(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
          reject,
        );
      },
    );
    req.once('error', reject);
    const chunks =
      options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
