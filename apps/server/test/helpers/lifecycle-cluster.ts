import { randomBytes } from 'node:crypto';
import {
  createThrowAwayDatabase,
  FAKE_GITHUB_APP,
  type FakeGitHub,
  nextAccessTokenExpiresIn,
  type PrivateRedis,
  startFakeGitHub,
  startPrivateRedis,
  type ThrowAwayDatabase,
} from '@org/mcp-oauth-testing';
import { readJson } from './admin-api.js';
import { connectInstance, createApiKey } from './connect.js';
import { fakeGitHubEnv } from './e2e-scenario.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** `DATABASE_URL` of the PostgreSQL server to create the throw-away database on. */
  baseDatabaseUrl: string;
  /** Server processes to start. @default 2 */
  processes?: number;
  /** Start a private redis-server and pass it as `REDIS_URL`. @default true */
  redis?: boolean;
  /** The `DATABASE_URL` the servers get, from the throw-away database's (e.g. through a proxy). */
  serverDatabaseUrl?: (url: string) => string;
  /** `LOG_LEVEL` of the servers. @default 'debug' (tests await debug lines such as cache invalidations) */
  logLevel?: string;
  /** More server variables (e.g. `TOOL_RATE_LIMIT_PER_SECOND`), applied last. */
  env?: Record<string, string>;
}

/** Server processes sharing one database, one Redis, one key ring and one admin token, and a fake GitHub. */
export interface Cluster {
  fake: FakeGitHub;
  database: ThrowAwayDatabase;
  redis: PrivateRedis | undefined;
  servers: ServerProcess[];
  /** `ENCRYPTION_KEYS` of every server (to decrypt rows in assertions). Secret: never print it. */
  encryptionKeys: string;
  /** The servers' environment (holds secrets), to start another process of the cluster. */
  env: Record<string, string>;
  /** Stops every process, the fake and Redis, and drops the database. */
  close(): Promise<void>;
}

/** A connected GitHub App instance (expiring tokens, single-use rotating refresh tokens) with an API key. */
export interface AppInstance {
  instanceId: string;
  apiKey: string;
  login: string;
  /** The access token the fake issued at connection time. Secret: compare, never print. */
  firstAccessToken: string;
}

/** Starts the fake, the database, Redis and the servers (in parallel). */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const fake = await startFakeGitHub();
  const database = await createThrowAwayDatabase(options.baseDatabaseUrl, 'mcp_lc_');
  const redis = options.redis === false ? undefined : await startPrivateRedis();
  const encryptionKeys = `lc:${randomBytes(32).toString('base64')}`;
  const env: Record<string, string> = {
    ...fakeGitHubEnv(fake),
    DATABASE_URL: options.serverDatabaseUrl?.(database.url) ?? database.url,
    ENCRYPTION_KEYS: encryptionKeys,
    ADMIN_TOKEN: randomBytes(32).toString('base64url'),
    LOG_LEVEL: options.logLevel ?? 'debug',
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...options.env,
  };
  const servers: ServerProcess[] = [];
  const close = async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await fake.close();
    await redis?.stop();
    await database.drop();
  };
  try {
    // The first process runs the migrations; the others find them applied.
    servers.push(await startServerProcess({ env }));
    for (let i = 1; i < (options.processes ?? 2); i++) servers.push(await startServerProcess({ env }));
  } catch (error) {
    await close();
    throw error;
  }
  return { fake, database, redis, servers, encryptionKeys, env, close };
}

/**
 * Connects a GitHub App account through the real authorization-code flow on `server` and creates an API key.
 * `firstTokenExpiresIn` (seconds) makes the fake issue a first access token that is already within the refresh
 * margin; the refreshed ones last the usual 8 h.
 */
export async function connectApp(
  cluster: Pick<Cluster, 'fake' | 'servers'>,
  options: { server?: ServerProcess; login?: string; firstTokenExpiresIn?: number } = {},
): Promise<AppInstance> {
  const server = options.server ?? cluster.servers[0];
  if (server === undefined) throw new Error('no server');
  if (options.firstTokenExpiresIn !== undefined) {
    nextAccessTokenExpiresIn(cluster.fake, options.firstTokenExpiresIn);
  }
  const before = new Set(cluster.fake.state.tokens.keys());
  const login = options.login ?? 'octocat';
  if (!cluster.fake.state.users.has(login)) {
    cluster.fake.addUser({ login, id: 10_000 + cluster.fake.state.users.size });
  }
  cluster.fake.approveAs(login);
  let connected: Awaited<ReturnType<typeof connectInstance>>;
  try {
    connected = await connectInstance(server, cluster.fake, {
      userId: `user-${login}`,
      clientId: FAKE_GITHUB_APP.clientId,
      clientSecret: FAKE_GITHUB_APP.clientSecret,
    });
  } finally {
    cluster.fake.approveAs('octocat');
  }
  const issued = [...cluster.fake.state.tokens.keys()].filter((token) => !before.has(token));
  if (issued.length !== 1 || issued[0] === undefined) throw new Error('expected one new access token');
  const { apiKey } = await createApiKey(server, connected.instanceId);
  return { instanceId: connected.instanceId, apiKey, login: connected.login, firstAccessToken: issued[0] };
}

/**
 * Revokes every token the fake issued to the GitHub App for `login`, as if the user revoked the app on
 * github.com: access tokens answer 401, refresh tokens `bad_refresh_token`. Returns how many were revoked.
 */
export function revokeGrant(fake: FakeGitHub, login: string): number {
  const tokens = [...fake.state.tokens.values()].filter(
    (token) => token.login === login && token.clientId === FAKE_GITHUB_APP.clientId,
  );
  for (const token of tokens) fake.revokeToken(token.token);
  return tokens.length;
}

/** Resolves with the first log line written from now on that matches `predicate`. */
export function nextLog(
  server: ServerProcess,
  predicate: (line: Record<string, unknown>) => boolean,
  timeoutMs?: number,
): Promise<Record<string, unknown>> {
  const mark = server.logs.length;
  return server.waitForLog((line) => predicate(line) && server.logs.indexOf(line) >= mark, timeoutMs);
}

/** `GET /health` of a server: status code and body (with `stats`). */
export async function healthOf(server: ServerProcess): Promise<{ code: number; body: HealthBody }> {
  const response = await fetch(`${server.url}/health`);
  return { code: response.status, body: await readJson<HealthBody>(response) };
}

/** The parts of the `/health` body the lifecycle tests read. */
export interface HealthBody {
  status: 'healthy' | 'degraded' | 'unhealthy';
  checks: { database: { status: string }; cache: { status: string } };
  stats: {
    cache: {
      backend: string;
      hits: number;
      localHits: number;
      sharedHits: number;
      errors: number;
      invalidations: number;
    };
    tokens: {
      cache: { hits: number; misses: number; errors: number };
      refresh: { upstreamCalls: number; succeeded: number; reused: number; terminalFailures: number };
      breakers: { providers: Record<string, string>; openInstances: number };
    };
  };
}

/** Authorization headers of the fake's `/user` requests from index `from` on. */
export function userCallTokens(fake: FakeGitHub, from = 0): string[] {
  return fake.state.requests
    .slice(from)
    .filter((request) => request.route === 'user')
    .map((request) => (request.headers.authorization ?? '').replace(/^(token|bearer)\s+/i, ''));
}
