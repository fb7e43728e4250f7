import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { createHttpHandler, type HttpHandler } from '../../../src/http/create-handler.js';
import type { HttpHandlerOptions } from '../../../src/http/options.js';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '../../../src/kysely/index.js';
import type { ProviderDefinition } from '../../../src/provider/types.js';
import type { InstanceConfig, InstanceRecord, InstanceStatus, Store } from '../../../src/store/ports.js';
import type { Logger } from '../../../src/util/types.js';
import { fakeProvider } from './provider.js';
import { createStubFlow, type StubFlow } from './stub-flow.js';

/** An admin token long enough for the options check. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijklmnop';
/** Origin every test request goes to. */
export const BASE = 'http://localhost:49296';

/** One recorded log line. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** Per-file test fixture: PGlite store, stub flow, a handler, and helpers. */
export interface Harness {
  store: Store;
  flow: StubFlow;
  handler: HttpHandler;
  logs: LogEntry[];
  clock: { now: number };
  /** A handler with extra options over the same store and flow. */
  make(options?: Partial<HttpHandlerOptions>): HttpHandler;
  /** An admin request with the right token (unless `headers.authorization` overrides it). */
  admin(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** An active instance with a credential granting `grantedScopes`. */
  seedInstance(options?: {
    config?: Partial<InstanceConfig>;
    grantedScopes?: string[];
    status?: InstanceStatus;
    userId?: string;
  }): Promise<InstanceRecord>;
  /** Creates an API key for the instance through the admin API and returns it. */
  createKey(instanceId: string): Promise<string>;
  close(): Promise<void>;
}

function recordingLogger(logs: LogEntry[]): Logger {
  const at =
    (level: LogEntry['level']) =>
    (fields: Record<string, unknown>, message: string): void => {
      logs.push({ level, fields, message });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * Starts PGlite, migrates, registers the fake service and wires the handler. `provider` replaces
 * {@link fakeProvider} (e.g. one extended with resources and prompts).
 */
export async function createHarness(options: { provider?: ProviderDefinition } = {}): Promise<Harness> {
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
  await migrateToLatest(db);
  const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
  const now = () => clock.now;
  const store = createKyselyStore(db, { now, locking: 'in-process' });
  const provider = options.provider ?? fakeProvider();
  await store.services.upsertService({
    name: provider.id,
    displayName: provider.displayName,
    authType: 'oauth2',
    status: 'active',
    metadata: {},
  });
  const flow = createStubFlow(store, [provider], now);
  const logs: LogEntry[] = [];
  const make = (options: Partial<HttpHandlerOptions> = {}): HttpHandler =>
    createHttpHandler({
      flow,
      store,
      adminToken: ADMIN_TOKEN,
      version: '9.9.9-test',
      now,
      logger: recordingLogger(logs),
      ...options,
    });
  const handler = make();

  const admin: Harness['admin'] = (method, path, body, headers = {}) =>
    handler.handle(
      new Request(`${BASE}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    );

  return {
    store,
    flow,
    handler,
    logs,
    clock,
    make,
    admin,
    async seedInstance(options = {}) {
      const instanceId = crypto.randomUUID();
      const config: InstanceConfig = {
        scopes: ['read:user', 'repo'],
        readOnly: false,
        toolsets: null,
        clientId: null,
        clientSecretCiphertext: null,
        ...options.config,
      };
      await store.instances.createInstance({
        instanceId,
        serviceName: provider.id,
        userId: options.userId ?? 'user-1',
        status: 'pending_oauth',
        config,
      });
      await store.credentials.saveCredential(
        {
          instanceId,
          accessTokenCiphertext: 'v1.kid.access-ciphertext',
          refreshTokenCiphertext: 'v1.kid.refresh-ciphertext',
          keyId: 'kid',
          tokenType: 'bearer',
          grantedScopes: options.grantedScopes ?? config.scopes,
          expiresAt: new Date(clock.now + 3_600_000),
          refreshExpiresAt: null,
          refreshAttempts: 0,
          lastRefreshAt: null,
          lastRefreshError: null,
        },
        null,
      );
      return store.instances.updateInstance(instanceId, {
        status: options.status ?? 'active',
        upstreamLogin: 'octocat',
        upstreamSubject: '1',
        oauthCompletedAt: new Date(clock.now),
      });
    },
    async createKey(instanceId) {
      const response = await admin('POST', `/api/v1/instances/${instanceId}/api-keys`, { name: 'test' });
      if (response.status !== 201) throw new Error(`api key creation failed: ${response.status}`);
      const body = (await response.json()) as { apiKey: string };
      return body.apiKey;
    },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}

/** Reads `{error: {code, message}}` and the status of a failed response. */
export async function errorOf(
  response: Response,
): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}
