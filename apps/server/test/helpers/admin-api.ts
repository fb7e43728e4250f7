import { expect } from 'vitest';
import type { ServerProcess } from './server-process.js';

/** The body every failure of the HTTP surface answers with. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Headers carrying a bearer token (`undefined` → none). */
export function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/**
 * Calls the admin API of a server process with its admin token. A plain-object `body` is sent as JSON; a string
 * or bytes are sent as they are (set `content-type` yourself).
 */
export function adminFetch(
  server: ServerProcess,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...bearer(server.adminToken) };
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (typeof init.body === 'string') body = init.body;
  else if (init.body instanceof Uint8Array) body = new Uint8Array(init.body);
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  return fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...headers, ...init.headers },
    body,
  });
}

/** Reads a JSON body, failing the test with the status and text when it is not JSON. */
export async function readJson<T = Record<string, unknown>>(response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON, got ${response.status}: ${text.slice(0, 200)}`);
  }
}

/** Asserts `{error: {code, message}}` as JSON with `status` and `code`; returns the body and its raw text. */
export async function expectJsonError(
  response: Response,
  status: number,
  code: string,
): Promise<{ body: ErrorBody; text: string }> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message.length).toBeGreaterThan(0);
  return { body, text };
}

/** The status of an instance, through the admin API. */
export async function instanceStatus(server: ServerProcess, instanceId: string): Promise<unknown> {
  return (await readJson(await adminFetch(server, `/api/v1/instances/${instanceId}`))).status;
}

/** How many instances exist (first page of 100), through the admin API. */
export async function instanceCount(server: ServerProcess): Promise<number> {
  const page = await readJson<{ items: unknown[] }>(await adminFetch(server, '/api/v1/instances?limit=100'));
  return page.items.length;
}
