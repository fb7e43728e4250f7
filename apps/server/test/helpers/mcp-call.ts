import { bearer } from './admin-api.js';

/** Where to send MCP requests: a server process or anything with its `url`. */
export interface McpTarget {
  url: string;
}

/** The outcome of one `tools/call`: the HTTP status, and the tool result or JSON-RPC / HTTP error. */
export interface ToolCallOutcome {
  status: number;
  isError: boolean;
  /** First text content, or the error message. */
  text: string;
  structured: Record<string, unknown> | undefined;
  /** `error.code` of a non-200 JSON answer (e.g. `STORE_UNAVAILABLE`). */
  errorCode: string | undefined;
}

/**
 * Calls an MCP tool with a plain JSON-RPC POST to `/:instanceId/mcp` (stateless server: no initialize needed).
 * Never throws for HTTP or tool failures; they are reported in the outcome.
 */
export async function callTool(
  target: McpTarget,
  instanceId: string,
  apiKey: string,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolCallOutcome> {
  const response = await fetch(`${target.url}/${instanceId}/mcp`, {
    method: 'POST',
    headers: {
      ...bearer(apiKey),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
  const text = await response.text();
  let body: {
    result?: {
      isError?: boolean;
      content?: Array<{ text?: string }>;
      structuredContent?: Record<string, unknown>;
    };
    error?: { code?: unknown; message?: string };
  };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { status: response.status, isError: true, text, structured: undefined, errorCode: undefined };
  }
  if (body.result !== undefined) {
    return {
      status: response.status,
      isError: body.result.isError ?? false,
      text: body.result.content?.[0]?.text ?? '',
      structured: body.result.structuredContent,
      errorCode: undefined,
    };
  }
  return {
    status: response.status,
    isError: true,
    text: body.error?.message ?? text,
    structured: undefined,
    errorCode: typeof body.error?.code === 'string' ? body.error.code : String(body.error?.code),
  };
}
