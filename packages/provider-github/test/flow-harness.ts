import { PGlite } from '@electric-sql/pglite';
import {
  type ClientCredentials,
  createKeyRing,
  createOAuthFlow,
  generateKey,
  type KeyRing,
  type OAuthFlow,
  type OAuthFlowOptions,
  type ProviderDefinition,
  registerServices,
  type Store,
} from '@org/mcp-oauth-core';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '@org/mcp-oauth-core/kysely';
import {
  ALL_TABLES,
  FAKE_GITHUB_OAUTH_APP,
  type FakeGitHub,
  type StoreTable,
  startFakeGitHub,
} from '@org/mcp-oauth-testing';
import { Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { github } from '../src/index.js';

/** Start of the injected clock: a fixed instant, so expiry assertions are exact. */
export const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A manual clock shared by the flow, the store and the fake GitHub. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/** Creates a {@link TestClock} starting at `start`. */
export function createTestClock(start = T0): TestClock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
  };
}

/** The callback URL registered for a service (never dialled: the tests hand the parameters over directly). */
export function callbackUrl(service: string): string {
  return `http://127.0.0.1:1/api/v1/auth-registry/auth/callback/${service}`;
}

/** Options of {@link startFlowHarness}. */
export interface FlowHarnessOptions {
  /** The host's default client for `github`. @default FAKE_GITHUB_OAUTH_APP; `null` for none. */
  defaultClient?: ClientCredentials | null;
  /** More providers derived from the fake-backed `github()` (e.g. a second service on the same fake). */
  extraProviders?: (base: ProviderDefinition) => ProviderDefinition[];
}

/** Result of {@link FlowHarness.authorize}: the request plus what the fake redirected back with. */
export interface AuthorizedRequest {
  instanceId: string;
  authorizationUrl: URL;
  /** Raw state value from the authorization URL (a secret; never log it). */
  state: string;
  /** Callback query parameters (code and state, or error and state). */
  params: URLSearchParams;
}

/** One fake GitHub + one PGlite store + a flow over both, with an injected clock. */
export interface FlowHarness {
  fake: FakeGitHub;
  db: Kysely<Database>;
  store: Store;
  keyRing: KeyRing;
  clock: TestClock;
  providers: ProviderDefinition[];
  /** The flow with the default options. */
  flow: OAuthFlow;
  /** A flow over the same providers, store, key ring and clock, with some options replaced. */
  createFlow(overrides?: Partial<OAuthFlowOptions>): OAuthFlow;
  /** createAuthorizationRequest (user-1 on `github` unless given) → the fake approves. */
  authorize(
    input?: Partial<Parameters<OAuthFlow['createAuthorizationRequest']>[0]>,
    flow?: OAuthFlow,
  ): Promise<AuthorizedRequest>;
  /** authorize → handleCallback: an `active` instance. */
  connect(
    input?: Partial<Parameters<OAuthFlow['createAuthorizationRequest']>[0]>,
    flow?: OAuthFlow,
  ): Promise<{ instanceId: string }>;
  /** Every row of every table as text, for "what is stored" assertions. */
  dumpAllTables(): Promise<string>;
  /** Every row of one table. */
  rows(table: StoreTable): Promise<Record<string, unknown>[]>;
  /** Number of rows in one table. */
  count(table: StoreTable): Promise<number>;
  close(): Promise<void>;
}

/** Starts the fake GitHub and an in-memory PGlite store, migrated and with the services registered. */
export async function startFlowHarness(options: FlowHarnessOptions = {}): Promise<FlowHarness> {
  const clock = createTestClock();
  const fake = await startFakeGitHub({ now: clock.now });
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
  await migrateToLatest(db);
  const store = createKyselyStore(db, { now: clock.now, locking: 'in-process' });
  const keyRing = createKeyRing([{ id: 'k1', key: generateKey() }]);
  const base = github({ baseUrl: fake.url, apiUrl: fake.apiUrl });
  const providers = [base, ...(options.extraProviders?.(base) ?? [])];
  await registerServices(store, providers);
  const defaultClient = options.defaultClient === undefined ? FAKE_GITHUB_OAUTH_APP : options.defaultClient;

  const createFlow = (overrides: Partial<OAuthFlowOptions> = {}): OAuthFlow =>
    createOAuthFlow({
      store,
      keyRing,
      providers,
      defaultClients: defaultClient
        ? { github: { clientId: defaultClient.clientId, clientSecret: defaultClient.clientSecret } }
        : {},
      callbackUrl,
      now: clock.now,
      allowInsecureRequests: true,
      ...overrides,
    });
  const flow = createFlow();

  const authorize: FlowHarness['authorize'] = async (input = {}, using = flow) => {
    const request = await using.createAuthorizationRequest({
      serviceName: 'github',
      userId: 'user-1',
      ...input,
    });
    const authorizationUrl = new URL(request.authorizationUrl);
    const redirect = await fake.approve(authorizationUrl);
    return {
      instanceId: request.instanceId,
      authorizationUrl,
      state: authorizationUrl.searchParams.get('state') ?? '',
      params: redirect.searchParams,
    };
  };

  const rows = async (table: StoreTable): Promise<Record<string, unknown>[]> => {
    const result = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    return result.rows;
  };

  return {
    fake,
    db,
    store,
    keyRing,
    clock,
    providers,
    flow,
    createFlow,
    authorize,
    async connect(input = {}, using = flow) {
      const { instanceId, params } = await authorize(input, using);
      await using.handleCallback(input.serviceName ?? 'github', params);
      return { instanceId };
    },
    async dumpAllTables() {
      const lines: string[] = [];
      for (const table of ALL_TABLES) lines.push(`${table}: ${JSON.stringify(await rows(table))}`);
      return lines.join('\n');
    },
    rows,
    count: async (table) => (await rows(table)).length,
    async close() {
      await db.destroy();
      await fake.close();
    },
  };
}

/** Every secret the fake has handed out or holds: tokens, refresh tokens, codes, client secrets. */
export function fakeSecrets(fake: FakeGitHub): string[] {
  return [
    ...fake.state.tokens.keys(),
    ...fake.state.refreshTokens.keys(),
    ...fake.state.codes.keys(),
    ...[...fake.state.clients.values()].map((client) => client.clientSecret),
  ];
}

/** Asserts that none of `secrets` occurs in `text`; a failure names how many leaked, never the values. */
export function expectNoSecrets(text: string, secrets: readonly string[]): void {
  const leaked = secrets.filter((secret) => secret.length > 0 && text.includes(secret));
  expect(leaked.length, `${leaked.length} secret value(s) found in the text`).toBe(0);
}

/** Awaits a promise that must reject and returns the rejection reason. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject, but it resolved');
    },
    (error: unknown) => error,
  );
}
