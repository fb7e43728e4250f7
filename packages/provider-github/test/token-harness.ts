import { PGlite } from '@electric-sql/pglite';
import {
  type CachedCredential,
  createKeyRing,
  createOAuthFlow,
  createTokenManager,
  generateKey,
  type KeyRing,
  type OAuthFlow,
  type OAuthFlowOptions,
  registerServices,
  type Store,
  type TokenCachePort,
  type TokenEventName,
  type TokenManager,
  type TokenManagerOptions,
} from '@org/mcp-oauth-core';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '@org/mcp-oauth-core/kysely';
import {
  createTestPool,
  createThrowAwayDatabase,
  FAKE_GITHUB_APP,
  type FakeGitHub,
  startFakeGitHub,
} from '@org/mcp-oauth-testing';
import { Kysely, PostgresDialect } from 'kysely';
import { github } from '../src/index.js';
import { callbackUrl, createTestClock, type TestClock } from './flow-harness.js';

/** An in-memory token cache of one replica (the cache package's real one is tested there). */
export interface MemoryTokenCache extends TokenCachePort {
  entries: Map<string, CachedCredential>;
}

/** Creates a {@link MemoryTokenCache}; `peers` (other replicas) also drop invalidated entries. */
export function memoryTokenCache(peers: MemoryTokenCache[] = []): MemoryTokenCache {
  const entries = new Map<string, CachedCredential>();
  const keyOf = (serviceName: string, instanceId: string) => `${serviceName}/${instanceId}`;
  return {
    entries,
    async get(key) {
      return entries.get(keyOf(key.serviceName, key.instanceId));
    },
    async set(key, entry) {
      const current = entries.get(keyOf(key.serviceName, key.instanceId));
      if (current === undefined || current.version <= entry.version) {
        entries.set(keyOf(key.serviceName, key.instanceId), entry);
      }
    },
    async invalidateInstanceCache(serviceName, instanceId) {
      entries.delete(keyOf(serviceName, instanceId));
      for (const peer of peers) peer.entries.delete(keyOf(serviceName, instanceId));
    },
  };
}

/** One "server process": its own database pool (PostgreSQL) or the shared PGlite store, flow, cache, manager. */
export interface Replica {
  store: Store;
  flow: OAuthFlow;
  cache: MemoryTokenCache;
  tokens: TokenManager;
  /** Every event this replica's manager emitted, oldest first. */
  events: Array<{ name: TokenEventName; event: unknown }>;
}

/** The fake GitHub (GitHub App mode) + a database + replicas sharing it. */
export interface TokenHarness {
  kind: 'pglite' | 'postgres';
  fake: FakeGitHub;
  clock: TestClock;
  keyRing: KeyRing;
  /** The first replica's store (any replica sees the same rows). */
  store: Store;
  /** Creates another replica; `store` wraps its store (fault injection), `flow` overrides its flow options. */
  replica(options?: {
    wrapStore?: (store: Store) => Store;
    flow?: Partial<OAuthFlowOptions>;
    manager?: Partial<TokenManagerOptions>;
  }): Promise<Replica>;
  /** An active instance connected through the real authorization-code flow (expires in 8 h, rotating). */
  connect(): Promise<{ instanceId: string; expiresAt: number }>;
  /** Every refresh token the fake received, oldest first. */
  presentedRefreshTokens(): string[];
  /** Decrypts the stored refresh token of an instance. */
  storedRefreshToken(instanceId: string): Promise<string>;
  close(): Promise<void>;
}

const EVENT_NAMES: TokenEventName[] = [
  'expiring',
  'refreshed',
  'refresh_failed',
  'needs_reauth',
  'expired',
  'breaker_open',
  'breaker_closed',
];

/**
 * Starts the harness on PGlite, or on PostgreSQL when `databaseUrl` is given (each replica then has its own
 * pool on one throw-away database, so the refresh lock is the real advisory lock).
 */
export async function startTokenHarness(databaseUrl?: string): Promise<TokenHarness> {
  const clock = createTestClock();
  const fake = await startFakeGitHub({ now: clock.now });
  const keyRing = createKeyRing([{ id: 'k1', key: generateKey() }]);
  const provider = github({ baseUrl: fake.url, apiUrl: fake.apiUrl });
  const closers: Array<() => Promise<void>> = [() => fake.close()];

  let openStore: () => Promise<Store>;
  let first: Store;
  if (databaseUrl) {
    const database = await createThrowAwayDatabase(databaseUrl);
    closers.push(() => database.drop());
    const open = async (): Promise<{ db: Kysely<Database>; store: Store }> => {
      const db = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: createTestPool(database.url, 10) }),
      });
      closers.unshift(() => db.destroy());
      return { db, store: createKyselyStore(db, { now: clock.now }) };
    };
    const initial = await open();
    await migrateToLatest(initial.db);
    first = initial.store;
    let handedOut = false;
    openStore = async () => {
      if (!handedOut) {
        handedOut = true;
        return first;
      }
      return (await open()).store;
    };
  } else {
    const db = new Kysely<Database>({ dialect: createPGliteDialect(await PGlite.create()) });
    closers.push(() => db.destroy());
    await migrateToLatest(db);
    // One process, one PGlite session: replicas share the store and its in-process lock.
    first = createKyselyStore(db, { now: clock.now, locking: 'in-process' });
    openStore = async () => first;
  }
  await registerServices(first, [provider]);
  const client = { clientId: FAKE_GITHUB_APP.clientId, clientSecret: FAKE_GITHUB_APP.clientSecret };
  const flowFor = (store: Store, overrides: Partial<OAuthFlowOptions> = {}) =>
    createOAuthFlow({
      store,
      keyRing,
      providers: [provider],
      defaultClients: { github: client },
      callbackUrl,
      now: clock.now,
      allowInsecureRequests: true,
      ...overrides,
    });
  const connectFlow = flowFor(first);
  const caches: MemoryTokenCache[] = [];

  return {
    kind: databaseUrl ? 'postgres' : 'pglite',
    fake,
    clock,
    keyRing,
    store: first,
    async replica(options = {}) {
      const base = await openStore();
      const store = options.wrapStore ? options.wrapStore(base) : base;
      const flow = flowFor(store, options.flow);
      const cache = memoryTokenCache(caches);
      caches.push(cache);
      const tokens = createTokenManager({
        flow,
        store,
        keyRing,
        cache,
        now: clock.now,
        random: () => 0.5,
        ...options.manager,
      });
      const events: Replica['events'] = [];
      for (const name of EVENT_NAMES) tokens.events.on(name, (event) => void events.push({ name, event }));
      return { store, flow, cache, tokens, events };
    },
    async connect() {
      const request = await connectFlow.createAuthorizationRequest({
        serviceName: 'github',
        userId: 'user-1',
      });
      const redirect = await fake.approve(request.authorizationUrl);
      await connectFlow.handleCallback('github', redirect.searchParams);
      const credential = await first.credentials.getCredential(request.instanceId);
      return { instanceId: request.instanceId, expiresAt: credential?.expiresAt?.getTime() ?? 0 };
    },
    presentedRefreshTokens() {
      return fake.state.requests
        .filter((request) => request.route === 'token')
        .map((request) => new URLSearchParams(request.body))
        .filter((body) => body.get('grant_type') === 'refresh_token')
        .map((body) => body.get('refresh_token') ?? '');
    },
    async storedRefreshToken(instanceId) {
      const credential = await first.credentials.getCredential(instanceId);
      return keyRing.decrypt(credential?.refreshTokenCiphertext ?? '', {
        table: 'mcp_credentials',
        column: 'refresh_token',
        instanceId,
      });
    },
    async close() {
      for (const close of closers) await close();
    },
  };
}
