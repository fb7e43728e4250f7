import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { createKeyRing, generateKey } from '../../../src/crypto/key-ring.js';
import type { KeyRing } from '../../../src/crypto/types.js';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '../../../src/kysely/index.js';
import { createOAuthFlow } from '../../../src/oauth/flow.js';
import type { OAuthFlowOptions } from '../../../src/oauth/options.js';
import type { OAuthFlow } from '../../../src/oauth/types.js';
import { sealSecret } from '../../../src/oauth/vault.js';
import type { ProviderDefinition } from '../../../src/provider/types.js';
import type { CredentialRecord, InstanceStatus, Store } from '../../../src/store/ports.js';
import type { TokenManagerOptions } from '../../../src/tokens/options.js';
import type { TokenEvents } from '../../../src/tokens/ports.js';
import { createTokenManager } from '../../../src/tokens/token-manager.js';
import type { TokenManager } from '../../../src/tokens/types.js';
import type { Logger } from '../../../src/util/types.js';
import { type CountingStore, countingStore } from './counting-store.js';
import { createMemoryCache, type MemoryCache } from './memory-cache.js';
import { CLIENT, createTestUpstream, type TestUpstream, UPSTREAM } from './upstream.js';

/** Start of the injected clock. */
export const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
export const MARGIN = 300_000;

/** The provider of these tests: endpoints answered in process by {@link TestUpstream}. */
export function testProvider(): ProviderDefinition {
  return {
    id: 'testhub',
    displayName: 'TestHub',
    endpoints: {
      authorization: `${UPSTREAM}/oauth/authorize`,
      token: `${UPSTREAM}/oauth/token`,
      api: `${UPSTREAM}/api`,
    },
    defaultScopes: ['read'],
    scopeSeparator: ' ',
    pkce: true,
    clientAuthentication: 'client_secret_post',
    tokensExpire: true,
    rotatesRefreshTokens: true,
    fetchIdentity: async () => ({ subject: '1', login: 'tester' }),
  };
}

/** One recorded log line. */
export interface LogLine {
  level: keyof Logger;
  fields: Record<string, unknown>;
  message: string;
}

/** A seeded instance and the plaintext tokens stored for it. */
export interface Seeded {
  instanceId: string;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number | null;
}

/** Everything a token manager test needs, over one PGlite database. */
export interface TokenHarness {
  clock: { now(): number; set(ms: number): void; advance(ms: number): void };
  upstream: TestUpstream;
  store: Store;
  counting: CountingStore;
  keyRing: KeyRing;
  flow: OAuthFlow;
  logs: LogLine[];
  createFlow(overrides?: Partial<OAuthFlowOptions>): OAuthFlow;
  /** A manager over the counting store with a fresh memory cache (unless `cache: undefined` is passed). */
  manager(overrides?: Partial<TokenManagerOptions>): { tokens: TokenManager; cache: MemoryCache };
  /** An instance with upstream-issued tokens expiring `expiresInMs` from now (`null`: never, no refresh token). */
  seed(options?: {
    expiresInMs?: number | null;
    status?: InstanceStatus;
    withRefreshToken?: boolean;
  }): Promise<Seeded>;
  credential(instanceId: string): Promise<CredentialRecord>;
  /** Records every event of `tokens` into the returned list. */
  record(tokens: TokenManager): Array<{ name: keyof TokenEvents; event: unknown }>;
  close(): Promise<void>;
}

/** Starts PGlite (one per test file), migrates and registers the test provider. */
export async function createTokenHarness(): Promise<TokenHarness> {
  let current = T0;
  const clock = {
    now: () => current,
    set(ms: number) {
      current = ms;
    },
    advance(ms: number) {
      current += ms;
    },
  };
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
  await migrateToLatest(db);
  const store = createKyselyStore(db, { now: clock.now, locking: 'in-process' });
  const counting = countingStore(store);
  const keyRing = createKeyRing([{ id: 'k1', key: generateKey() }]);
  const upstream = createTestUpstream();
  const provider = testProvider();
  await store.services.upsertService({
    name: provider.id,
    displayName: provider.displayName,
    authType: 'oauth2',
    status: 'active',
    metadata: {},
  });
  const logs: LogLine[] = [];
  const logger: Logger = {
    debug: (fields, message) => logs.push({ level: 'debug', fields, message }),
    info: (fields, message) => logs.push({ level: 'info', fields, message }),
    warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
    error: (fields, message) => logs.push({ level: 'error', fields, message }),
  };
  const createFlow = (overrides: Partial<OAuthFlowOptions> = {}): OAuthFlow =>
    createOAuthFlow({
      store: counting.store,
      keyRing,
      providers: [provider],
      defaultClients: { testhub: CLIENT },
      callbackUrl: () => 'https://mcp.test/callback',
      fetch: upstream.fetch,
      now: clock.now,
      logger,
      ...overrides,
    });
  const flow = createFlow();

  return {
    clock,
    upstream,
    store,
    counting,
    keyRing,
    flow,
    logs,
    createFlow,
    manager(overrides = {}) {
      const cache = createMemoryCache();
      const tokens = createTokenManager({
        flow,
        store: counting.store,
        keyRing,
        cache,
        now: clock.now,
        logger,
        random: () => 0.5,
        ...overrides,
      });
      return { tokens, cache };
    },
    async seed(options = {}) {
      const instanceId = crypto.randomUUID();
      await store.instances.createInstance({
        instanceId,
        serviceName: 'testhub',
        userId: 'user-1',
        status: 'pending_oauth',
        config: {
          scopes: ['read'],
          readOnly: false,
          toolsets: null,
          clientId: null,
          clientSecretCiphertext: null,
        },
      });
      await store.instances.updateInstance(instanceId, { status: options.status ?? 'active' });
      const expiresIn = options.expiresInMs === undefined ? 3600_000 : options.expiresInMs;
      const pair = upstream.issue();
      const withRefresh = options.withRefreshToken ?? expiresIn !== null;
      await store.credentials.saveCredential(
        {
          instanceId,
          accessTokenCiphertext: await sealSecret(keyRing, 'accessToken', instanceId, pair.accessToken),
          refreshTokenCiphertext: withRefresh
            ? await sealSecret(keyRing, 'refreshToken', instanceId, pair.refreshToken)
            : null,
          keyId: keyRing.activeKeyId,
          tokenType: 'bearer',
          grantedScopes: ['read', 'write'],
          expiresAt: expiresIn === null ? null : new Date(clock.now() + expiresIn),
          refreshExpiresAt: null,
          refreshAttempts: 0,
          lastRefreshAt: null,
          lastRefreshError: null,
        },
        null,
      );
      return {
        instanceId,
        accessToken: pair.accessToken,
        refreshToken: withRefresh ? pair.refreshToken : null,
        expiresAt: expiresIn === null ? null : clock.now() + expiresIn,
      };
    },
    async credential(instanceId) {
      const record = await store.credentials.getCredential(instanceId);
      if (record === null) throw new Error('no credential');
      return record;
    },
    record(tokens) {
      const seen: Array<{ name: keyof TokenEvents; event: unknown }> = [];
      const names: Array<keyof TokenEvents> = [
        'expiring',
        'refreshed',
        'refresh_failed',
        'needs_reauth',
        'expired',
        'breaker_open',
        'breaker_closed',
      ];
      for (const name of names) tokens.events.on(name, (event) => void seen.push({ name, event }));
      return seen;
    },
    close: () => db.destroy(),
  };
}

/** Awaits a promise that must reject and returns the reason. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** Moves `clock` to `offset` ms relative to `instant`. */
export function at(harness: TokenHarness, instant: number, offset = 0): void {
  harness.clock.set(instant + offset);
}
