import { PGlite } from '@electric-sql/pglite';
import {
  type CredentialRecord,
  createKeyRing,
  createOAuthFlow,
  createTokenManager,
  generateKey,
  type KeyRing,
  type OAuthFlow,
  type ProviderDefinition,
  registerServices,
  type Store,
  type TokenEventName,
  type TokenManager,
} from '@org/mcp-oauth-core';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '@org/mcp-oauth-core/kysely';
import { FAKE_GOOGLE_CLIENT, type FakeGoogle, startFakeGoogle } from '@org/mcp-oauth-testing';
import { Kysely } from 'kysely';
import { google } from '../src/index.js';

/** A manual clock shared by the flow, the store, the token manager and the fake Google. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/**
 * A clock starting at the wall clock (whole seconds): oauth4webapi checks ID-token `exp` against the real time,
 * so the fake's ID tokens must be stamped near it. Only `advance` moves it afterwards.
 */
export function createTestClock(): TestClock {
  let current = Math.floor(Date.now() / 1000) * 1000;
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

/** Fake Google + PGlite store + flow + token manager, all on one injected clock. */
export interface GoogleHarness {
  fake: FakeGoogle;
  store: Store;
  keyRing: KeyRing;
  clock: TestClock;
  provider: ProviderDefinition;
  flow: OAuthFlow;
  tokens: TokenManager;
  /** Every event the token manager emitted, oldest first. */
  events: Array<{ name: TokenEventName; event: unknown }>;
  /** createAuthorizationRequest for user-1 on `google` → the fake approves; returns what came back. */
  authorize(): Promise<{ instanceId: string; authorizationUrl: URL; params: URLSearchParams }>;
  /** authorize → handleCallback: an `active` instance. */
  connect(): Promise<{ instanceId: string }>;
  credential(instanceId: string): Promise<CredentialRecord>;
  /** Decrypts the stored refresh token of an instance. */
  storedRefreshToken(instanceId: string): Promise<string>;
  /** Decrypts the stored access token of an instance. */
  storedAccessToken(instanceId: string): Promise<string>;
  close(): Promise<void>;
}

const EVENT_NAMES: TokenEventName[] = ['expiring', 'refreshed', 'refresh_failed', 'needs_reauth', 'expired'];

/** Starts the harness (one PGlite per test file). */
export async function startGoogleHarness(): Promise<GoogleHarness> {
  const clock = createTestClock();
  const fake = await startFakeGoogle({ now: clock.now });
  const db = new Kysely<Database>({ dialect: createPGliteDialect(await PGlite.create()) });
  await migrateToLatest(db);
  const store = createKyselyStore(db, { now: clock.now, locking: 'in-process' });
  const keyRing = createKeyRing([{ id: 'k1', key: generateKey() }]);
  const provider = google({
    authorizationUrl: fake.authUrl,
    tokenUrl: fake.tokenUrl,
    revocationUrl: fake.revokeUrl,
    apiUrl: fake.apiUrl,
  });
  await registerServices(store, [provider]);
  const flow = createOAuthFlow({
    store,
    keyRing,
    providers: [provider],
    defaultClients: {
      google: { clientId: FAKE_GOOGLE_CLIENT.clientId, clientSecret: FAKE_GOOGLE_CLIENT.clientSecret },
    },
    callbackUrl,
    now: clock.now,
    allowInsecureRequests: true,
  });
  const tokens = createTokenManager({ flow, store, keyRing, now: clock.now, random: () => 0.5 });
  const events: GoogleHarness['events'] = [];
  for (const name of EVENT_NAMES) tokens.events.on(name, (event) => void events.push({ name, event }));

  const credential = async (instanceId: string): Promise<CredentialRecord> => {
    const record = await store.credentials.getCredential(instanceId);
    if (!record) throw new Error('no credential stored');
    return record;
  };
  const authorize: GoogleHarness['authorize'] = async () => {
    const request = await flow.createAuthorizationRequest({ serviceName: 'google', userId: 'user-1' });
    const authorizationUrl = new URL(request.authorizationUrl);
    const redirect = await fake.approve(authorizationUrl);
    return { instanceId: request.instanceId, authorizationUrl, params: redirect.searchParams };
  };

  return {
    fake,
    store,
    keyRing,
    clock,
    provider,
    flow,
    tokens,
    events,
    authorize,
    async connect() {
      const { instanceId, params } = await authorize();
      await flow.handleCallback('google', params);
      return { instanceId };
    },
    credential,
    async storedRefreshToken(instanceId) {
      const record = await credential(instanceId);
      return keyRing.decrypt(record.refreshTokenCiphertext ?? '', {
        table: 'mcp_credentials',
        column: 'refresh_token',
        instanceId,
      });
    },
    async storedAccessToken(instanceId) {
      const record = await credential(instanceId);
      return keyRing.decrypt(record.accessTokenCiphertext, {
        table: 'mcp_credentials',
        column: 'access_token',
        instanceId,
      });
    },
    async close() {
      await db.destroy();
      await fake.close();
    },
  };
}
