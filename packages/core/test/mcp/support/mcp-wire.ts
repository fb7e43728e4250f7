import { expect } from 'vitest';
import { BASE } from '../../http/support/harness.js';

/** Headers of every MCP POST in these tests (what a conforming client sends). */
export const MCP_HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  'mcp-protocol-version': '2025-11-25',
};

/** A JSON-RPC message as received. */
export interface RpcMessage {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** A request to `/:instanceId/mcp` with the API key (and `extra` headers, e.g. `mcp-session-id`). */
export function mcpRequest(
  instanceId: string,
  key: string,
  body: unknown,
  extra: { method?: string; headers?: Record<string, string> } = {},
): Request {
  const method = extra.method ?? 'POST';
  return new Request(`${BASE}/${instanceId}/mcp`, {
    method,
    headers: { ...MCP_HEADERS, authorization: `Bearer ${key}`, ...extra.headers },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
}

/** The `initialize` request body of a client declaring `capabilities`. */
export function initializeBody(capabilities: Record<string, unknown> = {}, id = 1): RpcMessage {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'test', version: '1' } },
  };
}

/** Reads SSE `message` events from a response body, one at a time. */
export interface SseReader {
  /** The next message, or `null` when the stream ended. */
  next(): Promise<RpcMessage | null>;
  /** Every remaining message until the stream ends. */
  rest(): Promise<RpcMessage[]>;
  cancel(): Promise<void>;
}

/** An {@link SseReader} over `response` (which must be `text/event-stream`). */
export function sseReader(response: Response): SseReader {
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<RpcMessage | null> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data !== '') return JSON.parse(data) as RpcMessage;
        continue;
      }
      const chunk = await reader.read();
      if (chunk.done) return null;
      buffer += chunk.value;
    }
  };
  return {
    next,
    async rest() {
      const out: RpcMessage[] = [];
      for (let message = await next(); message !== null; message = await next()) out.push(message);
      return out;
    },
    cancel: () => reader.cancel(),
  };
}

/** The JSON body of a response that must be `application/json`. */
export async function jsonOf(response: Response): Promise<RpcMessage> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as RpcMessage;
}
