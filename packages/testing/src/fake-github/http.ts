import type { IncomingMessage, ServerResponse } from 'node:http';

/** A parsed incoming request, handed to the route handlers. */
export interface FakeRequest {
  method: string;
  url: URL;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
  raw: IncomingMessage;
}

/** Reads the whole request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Flattens Node's header object into lower-cased strings. */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Writes a complete response. */
export function send(res: ServerResponse, status: number, headers: Record<string, string>, body = ''): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Writes a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(body));
}

/** Reads the string fields of a JSON object body; anything else yields no fields. */
export function parseJsonFields(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(body || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) {
        if (typeof value === 'string') out[key] = value;
      }
    }
  } catch {
    // Malformed JSON: no fields, as if nothing was sent.
  }
  return out;
}

/** Parses a form (`a=b&c=d`) or JSON object body into string fields, depending on the content type. */
export function parseFields(req: FakeRequest): Record<string, string> {
  if ((req.headers['content-type'] ?? '').includes('application/json')) return parseJsonFields(req.body);
  return Object.fromEntries(new URLSearchParams(req.body));
}

/** Decodes `Authorization: Basic …` into id and secret (form-decoded as RFC 6749 §2.3.1 requires). */
export function parseBasicAuth(headers: Record<string, string>): { id: string; secret: string } | null {
  const match = /^Basic\s+(.+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const decode = (value: string): string => {
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return value;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

/** Reads a `Bearer x` or `token x` credential. */
export function parseTokenAuth(headers: Record<string, string>): string | null {
  const match = /^(?:Bearer|token)\s+(\S+)$/i.exec(headers.authorization ?? '');
  return match?.[1] ?? null;
}
