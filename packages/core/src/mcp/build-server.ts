import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { ProviderDefinition } from '../provider/types.js';
import type { AuditStore, InstanceRecord } from '../store/ports.js';
import type { TokenSource } from '../tokens/source.js';
import type { Clock, FetchLike, Logger } from '../util/types.js';
import type { Exchange, ServerScope } from './call-scope.js';
import { createExchangeTransport, type ExchangeTransport } from './exchange-transport.js';
import { acceptLogLevel } from './logging.js';
import type { ToolRateLimiter } from './rate-limit.js';
import { registerReadables } from './register-resources.js';
import { registerTool } from './register-tool.js';
import { acceptSubscriptions } from './subscriptions.js';
import { selectTools } from './tool-filter.js';

/** What the MCP handler shares between all the servers it builds (internal). */
export interface ServerDeps {
  tokens: TokenSource;
  fetch: FetchLike;
  logger: Logger;
  rateLimiter: ToolRateLimiter | undefined;
  audit: AuditStore | undefined;
  now: Clock;
  version: string;
  jsonSchemaValidator: AjvJsonSchemaValidator;
}

/** One server to build (internal). */
export interface ServerSpec {
  provider: ProviderDefinition;
  /** The instance whose configuration selects the tools, resources and prompts. */
  instance: InstanceRecord;
  grantedScopes: readonly string[];
  /** Who calls (`api_key:<keyId>`). */
  actor: string;
  /** The SDK transport (JSON mode), stateless or with a session id generator. */
  inner: WebStandardStreamableHTTPServerTransport;
  /** The session's subscribed URIs, for a session's server; `undefined` when stateless. */
  subscriptions: Set<string> | undefined;
  /** Sends `notifications/resources/updated` to the instance's subscribed sessions. */
  resourceUpdated(uri: string): Promise<number>;
}

/** A connected server and its transport (internal). */
export interface InstanceServer {
  server: McpServer;
  transport: ExchangeTransport<Exchange>;
}

/** A built server, with the handlers its tools use to find the request they serve (internal). */
interface Assembled {
  server: McpServer;
  /** Points the server's handlers at the transport now serving it. */
  use(transport: ExchangeTransport<Exchange>): void;
}

/** The server of `spec` with its tools, resources and prompts registered; not connected. */
function assemble(deps: ServerDeps, spec: Omit<ServerSpec, 'inner'>): Assembled {
  const { provider, instance, grantedScopes } = spec;
  const server = new McpServer(
    { name: `mcp-oauth-${provider.id}`, title: provider.displayName, version: deps.version },
    { capabilities: { tools: {} }, jsonSchemaValidator: deps.jsonSchemaValidator },
  );
  let current: ExchangeTransport<Exchange> | undefined;
  const scope: ServerScope = {
    server,
    provider,
    tokens: deps.tokens,
    fetch: deps.fetch,
    logger: deps.logger,
    rateLimiter: deps.rateLimiter,
    audit: deps.audit,
    actor: spec.actor,
    now: deps.now,
    inSession: spec.subscriptions !== undefined,
    logLevels: acceptLogLevel(server),
    exchangeOf: (id) => current?.exchangeOf(id),
    resourceUpdated: spec.resourceUpdated,
  };
  for (const tool of selectTools(provider.tools ?? [], instance.config, grantedScopes, provider)) {
    registerTool(server, tool, scope);
  }
  const readables = registerReadables(server, scope, instance.config, grantedScopes);
  if (spec.subscriptions !== undefined && readables.resources.length + readables.templates.length > 0) {
    acceptSubscriptions(server, readables, spec.subscriptions);
  }
  return {
    server,
    use(transport) {
      current = transport;
    },
  };
}

function exchangeTransport(
  deps: ServerDeps,
  inner: WebStandardStreamableHTTPServerTransport,
  instance: InstanceRecord,
  watchAbort: boolean,
): ExchangeTransport<Exchange> {
  return createExchangeTransport<Exchange>(inner, {
    // A stateless server answers one POST at a time; its handlers see a client leaving through their signal.
    watchAbort,
    onStreamOverflow: (exchange) =>
      deps.logger.warn(
        { requestId: exchange.requestId, instanceId: instance.instanceId },
        'closed an MCP response stream: the client stopped reading it',
      ),
  });
}

/**
 * Builds the `McpServer` of one instance — for one stateless request or one session, never shared between
 * instances (CVE-2026-25536) — with the tools, resources and prompts the instance may use, `logging/setLevel`,
 * and for a session with readable resources `resources/subscribe`; then connects it to an
 * {@link ExchangeTransport} over `spec.inner` (internal).
 */
export async function buildServer(deps: ServerDeps, spec: ServerSpec): Promise<InstanceServer> {
  const assembled = assemble(deps, spec);
  const transport = exchangeTransport(deps, spec.inner, spec.instance, spec.subscriptions !== undefined);
  assembled.use(transport);
  await assembled.server.connect(transport);
  return { server: assembled.server, transport };
}

/**
 * A stateless server that can serve one request after another — never two at once, and only requests of the
 * instance, API key and tool selection it was built for (the caller keys its pool on them) (internal).
 */
export interface ReusableServer {
  /** Connects the server to a fresh transport over `inner` for the next request. */
  connect(inner: WebStandardStreamableHTTPServerTransport): Promise<InstanceServer>;
  /** Disconnects after a request (its transport closes); the server may then be connected again. */
  disconnect(): Promise<void>;
}

/** Builds a {@link ReusableServer} for stateless requests of `spec` (internal). */
export function buildReusableServer(
  deps: ServerDeps,
  spec: Omit<ServerSpec, 'inner' | 'subscriptions'>,
): ReusableServer {
  const assembled = assemble(deps, { ...spec, subscriptions: undefined });
  return {
    async connect(inner) {
      const transport = exchangeTransport(deps, inner, spec.instance, false);
      assembled.use(transport);
      await assembled.server.connect(transport);
      return { server: assembled.server, transport };
    },
    async disconnect() {
      await assembled.server.close();
    },
  };
}
