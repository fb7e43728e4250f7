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

/**
 * Builds the `McpServer` of one instance — for one stateless request or one session, never shared between
 * instances (CVE-2026-25536) — with the tools, resources and prompts the instance may use, `logging/setLevel`,
 * and for a session with readable resources `resources/subscribe`; then connects it to an
 * {@link ExchangeTransport} over `spec.inner` (internal).
 */
export async function buildServer(deps: ServerDeps, spec: ServerSpec): Promise<InstanceServer> {
  const { provider, instance, grantedScopes } = spec;
  const server = new McpServer(
    { name: `mcp-oauth-${provider.id}`, title: provider.displayName, version: deps.version },
    { capabilities: { tools: {} }, jsonSchemaValidator: deps.jsonSchemaValidator },
  );
  const transport = createExchangeTransport<Exchange>(spec.inner, {
    // A stateless server answers one POST and closes; its handlers see a client leaving through their signal.
    watchAbort: spec.subscriptions !== undefined,
    onStreamOverflow: (exchange) =>
      deps.logger.warn(
        { requestId: exchange.requestId, instanceId: instance.instanceId },
        'closed an MCP response stream: the client stopped reading it',
      ),
  });
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
    exchangeOf: transport.exchangeOf,
    resourceUpdated: spec.resourceUpdated,
  };
  for (const tool of selectTools(provider.tools ?? [], instance.config, grantedScopes, provider)) {
    registerTool(server, tool, scope);
  }
  const readables = registerReadables(server, scope, instance.config, grantedScopes);
  if (spec.subscriptions !== undefined && readables.resources.length + readables.templates.length > 0) {
    acceptSubscriptions(server, readables, spec.subscriptions);
  }
  await server.connect(transport);
  return { server, transport };
}
