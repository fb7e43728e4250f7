import { createHttpHandler, type HttpHandler } from '@org/mcp-oauth-core';
import { type Replica, startTokenHarness, type TokenHarness } from '../token-harness.js';
import { seedRepo } from './world.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijklmnop';
const BASE = 'http://localhost:49296';

/** What a `tools/call` answered, as the model sees it. */
export interface ToolCallResult {
  isError: boolean;
  /** The first text content. */
  text: string;
  structuredContent: unknown;
}

/** An instance connected through the real flow, with an API key for its MCP endpoint. */
export interface ConnectedInstance {
  instanceId: string;
  apiKey: string;
  /**
   * A repository seeded for this instance only (`octocat/<name>`, see `seedRepo`, plus a branch `topic` that
   * no pull request uses yet), so writes never disturb another test.
   */
  repo: string;
}

/**
 * Core's whole HTTP handler (API-key auth, instance lookup, MCP) with the real token manager over the
 * {@link TokenHarness} (fake GitHub in GitHub App mode, PGlite store): a tool's upstream 401 goes to
 * `reportUnauthorized` exactly as in production.
 */
export interface McpHarness {
  tokens: TokenHarness;
  replica: Replica;
  handler: HttpHandler;
  /** Connects a fresh instance (not read-only, every tool listed) and seeds `octocat/<repo>` for it. */
  connect(repo: string): Promise<ConnectedInstance>;
  /** Sends one JSON-RPC `tools/call` over Streamable HTTP and returns its result. */
  callTool(instance: ConnectedInstance, name: string, args: Record<string, unknown>): Promise<ToolCallResult>;
  /** Bearer tokens of the REST calls the fake received after request number `from`, in order. */
  apiTokensSince(from: number): string[];
  close(): Promise<void>;
}

/** Starts the {@link McpHarness} on one PGlite (2–3 s: share it per test file). */
export async function startMcpHarness(): Promise<McpHarness> {
  const tokens = await startTokenHarness();
  const replica = await tokens.replica();
  const handler = createHttpHandler({
    flow: replica.flow,
    store: replica.store,
    tokens: replica.tokens,
    adminToken: ADMIN_TOKEN,
    version: '0.0.0-test',
    now: tokens.clock.now,
  });
  const post = async (path: string, authorization: string, body: unknown, headers = {}) =>
    handler.handle(
      new Request(`${BASE}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${authorization}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    );

  return {
    tokens,
    replica,
    handler,
    async connect(repo) {
      const { instanceId } = await tokens.connect();
      seedRepo(tokens.fake, 'octocat', repo);
      tokens.fake.fixtures.commit(`octocat/${repo}`, {
        branch: 'topic',
        message: 'Topic',
        files: { 'topic.md': 'hi\n' },
      });
      const response = await post(`/api/v1/instances/${instanceId}/api-keys`, ADMIN_TOKEN, { name: 'test' });
      if (response.status !== 201) throw new Error(`api key creation failed: ${response.status}`);
      const { apiKey } = (await response.json()) as { apiKey: string };
      return { instanceId, apiKey, repo };
    },
    async callTool(instance, name, args) {
      const response = await post(
        `/${instance.instanceId}/mcp`,
        instance.apiKey,
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
        { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      );
      if (response.status !== 200) throw new Error(`tools/call answered HTTP ${response.status}`);
      const body = (await response.json()) as {
        result?: { isError?: boolean; content?: Array<{ text?: string }>; structuredContent?: unknown };
        error?: { message: string };
      };
      if (body.result === undefined) throw new Error(`tools/call failed: ${body.error?.message}`);
      return {
        isError: body.result.isError === true,
        text: body.result.content?.[0]?.text ?? '',
        structuredContent: body.result.structuredContent,
      };
    },
    apiTokensSince(from) {
      return tokens.fake.state.requests
        .slice(from)
        .filter((request) => request.url.startsWith('/api/v3/'))
        .map((request) => /^(?:Bearer|token)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');
    },
    close: () => tokens.close(),
  };
}
