import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../src/kysely/index.js';
import type { InstanceStatus, Store } from '../../src/store/ports.js';

/** A database for the monitor scenarios: one or two stores ("replicas") over it and a shared test clock. */
export interface MonitorHarness {
  db: Kysely<Database>;
  clock: { now: number };
  /** The store of replica A. */
  store: Store;
  /** The store of replica B: its own pool on PostgreSQL, the same store on single-session PGlite. */
  otherStore: Store;
  close(): Promise<void>;
}

/** Creates a {@link MonitorHarness}; called once per file. */
export type MonitorHarnessFactory = () => Promise<MonitorHarness>;

/** The two services every scenario registers. */
export const SERVICES = ['svc_a', 'svc_b'] as const;

/** Empties every table the monitor touches and registers the services. */
export async function resetDatabase(harness: MonitorHarness): Promise<void> {
  await sql`delete from mcp_service_table`.execute(harness.db);
  await sql`delete from mcp_leases`.execute(harness.db);
  for (const name of SERVICES) {
    await harness.store.services.upsertService({
      name,
      displayName: name,
      authType: 'oauth2',
      status: 'active',
      metadata: {},
    });
  }
}

/** One instance with a credential, written at the harness clock (or at `createdAt`). */
export interface SeedInput {
  service?: string;
  status?: InstanceStatus;
  /** Offset from now of the access token's expiry; `null` never expires. */
  expiresInMs: number | null;
  refreshToken?: boolean;
  /** Offset from now (negative: past) of the last refresh. */
  lastRefreshInMs?: number | null;
  lastUsedInMs?: number | null;
  /** Offset from now of the instance's creation. @default 0 */
  createdInMs?: number;
  /** Skip the credential (a pending instance). */
  noCredential?: boolean;
}

/** Seeds one instance; returns its id. */
export async function seed(harness: MonitorHarness, input: SeedInput): Promise<string> {
  const { store, clock } = harness;
  const now = clock.now;
  const instanceId = crypto.randomUUID();
  clock.now = now + (input.createdInMs ?? 0);
  try {
    await store.instances.createInstance({
      instanceId,
      serviceName: input.service ?? 'svc_a',
      userId: `user-${instanceId.slice(0, 8)}`,
      status: input.status ?? 'active',
      config: { scopes: [], readOnly: false, toolsets: null, clientId: null, clientSecretCiphertext: null },
    });
  } finally {
    clock.now = now;
  }
  if (input.noCredential) return instanceId;
  const at = (offset: number | null | undefined) => (offset == null ? null : new Date(now + offset));
  await store.credentials.saveCredential(
    {
      instanceId,
      accessTokenCiphertext: 'ct-access',
      refreshTokenCiphertext: input.refreshToken === false ? null : 'ct-refresh',
      keyId: 'k1',
      tokenType: 'bearer',
      grantedScopes: [],
      expiresAt: at(input.expiresInMs),
      refreshExpiresAt: null,
      refreshAttempts: 0,
      lastRefreshAt: at(input.lastRefreshInMs),
      lastRefreshError: null,
    },
    null,
  );
  if (input.lastUsedInMs != null) {
    await store.instances.updateInstance(instanceId, { lastUsedAt: new Date(now + input.lastUsedInMs) });
  }
  return instanceId;
}

/** What a refresh through the fake token manager does. */
export type RefreshBehaviour = (instanceId: string) => Promise<void> | void;

/**
 * A stand-in for the token manager's `forceRefresh`: records calls, runs `behaviour`, then saves a credential
 * valid for another hour (as a real refresh would), unless `persist` is false.
 */
export function fakeTokens(harness: MonitorHarness, behaviour?: RefreshBehaviour, persist = true) {
  const calls: string[] = [];
  return {
    calls,
    async refresh(instanceId: string): Promise<void> {
      calls.push(instanceId);
      await behaviour?.(instanceId);
      if (!persist) return;
      const current = await harness.store.credentials.getCredential(instanceId);
      if (current === null) return;
      const now = harness.clock.now;
      await harness.store.credentials.saveCredential(
        { ...current, expiresAt: new Date(now + 3_600_000), lastRefreshAt: new Date(now) },
        current.version,
      );
    },
  };
}

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Number of rows of `table`. */
export async function count(
  harness: MonitorHarness,
  table: 'mcp_service_table' | 'mcp_oauth_states',
): Promise<number> {
  const { rows } = await sql<{
    n: number | string;
  }>`select count(*)::int as n from ${sql.table(table)}`.execute(harness.db);
  return Number(rows[0]?.n ?? 0);
}
