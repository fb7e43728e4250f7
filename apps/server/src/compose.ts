import { createHash } from 'node:crypto';
import {
  type ClientCredentials,
  type Clock,
  createHttpHandler,
  createKeyRing,
  createOAuthFlow,
  type FetchLike,
  type Logger,
  type ProviderDefinition,
  parseKeyRingSpec,
  registerServices,
  silentLogger,
} from '@org/mcp-oauth-core';
import { github } from '@org/mcp-oauth-provider-github';
import { google } from '@org/mcp-oauth-provider-google';
import packageJson from '../package.json' with { type: 'json' };
import { isInsecureLoopbackUrl, resolvePublicUrl, type ServerConfig } from './config.js';
import { openDatabase } from './database.js';
import { resolveSecrets } from './dev-secrets.js';
import { createLifecycle, type Lifecycle } from './lifecycle/create-lifecycle.js';
import { type OpenedToolRateLimit, openToolRateLimit } from './rate-limit.js';

/** Seams of {@link createApp}. */
export interface AppDeps {
  /** The bound port, when it differs from `config.port` (`PORT=0`). @default config.port */
  port?: number;
  /** Upstream HTTP. @default globalThis.fetch */
  fetch?: FetchLike;
  now?: Clock;
  logger?: Logger;
}

/** The composed application: one web handler and what must be closed with it. */
export interface App {
  handle(request: Request): Promise<Response>;
  /** Starts background work (expiration monitor, cache warm-up and sync) once requests are served. */
  start?(): void;
  /**
   * Ends the MCP sessions and writes the queued audit records, stops the background work, closes the cache
   * connections (Redis), then the database
   * (pool or embedded). Idempotent.
   */
  close(): Promise<void>;
}

/** The providers this host enables; endpoints come from the environment (Enterprise Server, test fakes). */
export function enabledProviders(config: ServerConfig): ProviderDefinition[] {
  return [
    github({ baseUrl: config.github.url, apiUrl: config.github.apiUrl }),
    google({
      authorizationUrl: config.google.authUrl,
      tokenUrl: config.google.tokenUrl,
      revocationUrl: config.google.revokeUrl,
      apiUrl: config.google.apiUrl,
    }),
  ];
}

function defaultClients(config: ServerConfig): Record<string, ClientCredentials> {
  const clients: Record<string, ClientCredentials> = {};
  if (config.github.defaultClient) clients.github = config.github.defaultClient;
  if (config.google.defaultClient) clients.google = config.google.defaultClient;
  return clients;
}

function upstreamUrls(config: ServerConfig): string[] {
  const { github: gh, google: g } = config;
  return [gh.url, gh.apiUrl, g.authUrl, g.tokenUrl, g.revokeUrl, g.apiUrl];
}

const LOOPBACK_BINDS = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

/**
 * `Host` header values the MCP endpoint accepts (DNS-rebinding protection): the public URL's host (without a
 * port it matches any port), and the loopback names with the bound port when the server listens on loopback or
 * on every interface, else the bound address.
 */
export function allowedHosts(config: ServerConfig, port: number): string[] {
  const publicUrl = new URL(resolvePublicUrl(config, port));
  const hosts = new Set([publicUrl.host]);
  if (LOOPBACK_BINDS.has(config.host)) {
    for (const name of ['localhost', '127.0.0.1', '[::1]']) hosts.add(`${name}:${port}`);
  } else {
    hosts.add(`${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`);
  }
  return [...hosts];
}

/**
 * The composition root: key ring, database and store, providers, OAuth flow, the token lifecycle (cache in
 * memory or Redis with `REDIS_URL`, token manager, expiration monitor; see `createLifecycle`), the per-instance
 * tool-call limit (see `openToolRateLimit`) and core's HTTP handler. Nothing here waits for Redis.
 *
 * @throws on start-up failures (database unreachable, migration failed, invalid dev secret file); the
 *   configuration itself was validated by `loadConfig`.
 * @example
 * ```ts
 * const app = await createApp(loadConfig(process.env), { logger });
 * const response = await app.handle(new Request('http://localhost:49296/health'));
 * await app.close();
 * ```
 */
export async function createApp(config: ServerConfig, deps: AppDeps = {}): Promise<App> {
  const logger = deps.logger ?? silentLogger;
  const port = deps.port ?? config.port;
  const publicUrl = resolvePublicUrl(config, port);
  const secrets = await resolveSecrets(config, logger);
  const keyRing = createKeyRing(parseKeyRingSpec(secrets.encryptionKeys));
  const providers = enabledProviders(config);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    now: deps.now,
  });
  let lifecycle: Lifecycle | undefined;
  let rateLimit: OpenedToolRateLimit | undefined;
  let forgetPrincipals: ((instanceIds: readonly string[] | undefined) => void) | undefined;
  let endSessions: ((instanceId: string, keyId: string | null) => void) | undefined;
  let closeHttp: (() => Promise<unknown>) | undefined;
  const close = async (): Promise<void> => {
    await closeHttp?.();
    await lifecycle?.close();
    await rateLimit?.close();
    await database.close();
  };
  try {
    await registerServices(database.store, providers);
    const flow = createOAuthFlow({
      store: database.store,
      keyRing,
      providers,
      defaultClients: defaultClients(config),
      callbackUrl: (service) =>
        `${publicUrl}/api/v1/auth-registry/auth/callback/${encodeURIComponent(service)}`,
      allowInsecureRequests: upstreamUrls(config).some(isInsecureLoopbackUrl),
      fetch: deps.fetch,
      now: deps.now,
      logger,
    });
    lifecycle = await createLifecycle({
      flow,
      store: database.store,
      keyRing,
      redisUrl: config.redisUrl,
      serviceNames: providers.map((provider) => provider.id),
      logger,
      now: deps.now,
      // Bound below: another replica's deleted key or instance must stop working here at once.
      onRemoteInvalidation: (instanceIds) => forgetPrincipals?.(instanceIds),
      // ...and its MCP sessions here end too (their open streams included).
      onRemoteRevocation: (instanceId, keyId) => endSessions?.(instanceId, keyId),
    });
    rateLimit = await openToolRateLimit({
      limit: config.toolRateLimit,
      redisUrl: config.redisUrl,
      logger,
    });
    const http = createHttpHandler({
      flow,
      store: database.store,
      ...lifecycle.http,
      adminToken: secrets.adminToken,
      version: packageJson.version,
      allowedHosts: allowedHosts(config, port),
      toolRateLimit: rateLimit.options,
      // Synchronous node:crypto hashing of API keys: ~20× cheaper per request than WebCrypto's thread-pool hop.
      sha256: (value) => createHash('sha256').update(value).digest('hex'),
      // Stateful MCP sessions (sampling, elicitation, subscriptions) with core's defaults: 15 min idle, 16 per
      // instance, 1,000 per process. Per replica: behind a load balancer, route on Mcp-Session-Id (sticky) or
      // set MCP_SESSIONS=off.
      ...(config.mcpSessions ? { mcpSessions: {} } : {}),
      fetch: deps.fetch,
      now: deps.now,
      logger,
    });
    forgetPrincipals = (instanceIds) => http.forgetPrincipals(instanceIds);
    endSessions = (instanceId, keyId) => {
      http.mcp.endSessions(keyId === null ? { instanceId } : { instanceId, keyId });
    };
    // Ends MCP sessions and writes the queued audit records while the database is still open.
    closeHttp = () => http.close();
    logger.info(
      { providers: providers.map((provider) => provider.id), toolRateLimit: rateLimit.kind },
      'application composed',
    );
    let closing: Promise<void> | undefined;
    return {
      handle: (request) => http.handle(request),
      start: lifecycle.start,
      close: () => {
        closing ??= close();
        return closing;
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
