// Type-only imports from core's source: erased at runtime, and they keep this private package free of a
// core → testing → core dependency cycle and of a "build core first" step for typechecking.

import { expect } from 'vitest';
import type {
  CredentialWrite,
  InstanceConfig,
  NewInstance,
  OAuthStateRecord,
  Store,
} from '../../../core/src/store/ports.js';

/** What a store implementation hands {@link storeSuite}. */
export interface StoreSuiteHarness {
  /** The store under test, on an empty, migrated database. */
  store: Store;
  /** Releases everything the factory opened. */
  close(): Promise<void>;
  /** Text dump of every row of every table, used to prove what is (and is not) stored. */
  dumpAllTables(): Promise<string>;
  /**
   * A second store on the same database with connections of its own (another "replica"), for the
   * cross-store lock tests. Omit for single-process back-ends (embedded PGlite).
   */
  openSecondStore?(): Promise<{ store: Store; close(): Promise<void> }>;
}

/** Creates a {@link StoreSuiteHarness}; called once per suite run. */
export type StoreSuiteFactory = () => Promise<StoreSuiteHarness>;

/** Names shared by the tests of one suite run. */
export interface SuiteContext {
  harness(): StoreSuiteHarness;
  /** Two services registered before the tests run. */
  serviceA: string;
  serviceB: string;
}

/** A short random suffix, so tests never depend on rows of other tests. */
export function unique(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
}

/** A default instance config. */
export function config(overrides: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    scopes: ['read:user'],
    readOnly: false,
    toolsets: null,
    clientId: null,
    clientSecretCiphertext: null,
    ...overrides,
  };
}

/** A new instance of `serviceName` with a random UUID. */
export function newInstance(serviceName: string, overrides: Partial<NewInstance> = {}): NewInstance {
  return {
    instanceId: crypto.randomUUID(),
    serviceName,
    userId: unique('user'),
    status: 'active',
    config: config(),
    ...overrides,
  };
}

/** A credential write with recognisable fake ciphertexts. */
export function credentialWrite(
  instanceId: string,
  overrides: Partial<CredentialWrite> = {},
): CredentialWrite {
  return {
    instanceId,
    accessTokenCiphertext: unique('ct_access'),
    refreshTokenCiphertext: unique('ct_refresh'),
    keyId: 'k1',
    tokenType: 'bearer',
    grantedScopes: ['read:user', 'repo'],
    expiresAt: new Date('2030-01-01T00:00:00.000Z'),
    refreshExpiresAt: new Date('2030-06-01T00:00:00.000Z'),
    refreshAttempts: 0,
    lastRefreshAt: null,
    lastRefreshError: null,
    ...overrides,
  };
}

/** A pending OAuth state for `instanceId`. */
export function stateRecord(
  instanceId: string,
  serviceName: string,
  overrides: Partial<Omit<OAuthStateRecord, 'consumedAt'>> = {},
): Omit<OAuthStateRecord, 'consumedAt'> {
  return {
    stateHash: unique('statehash'),
    instanceId,
    serviceName,
    codeVerifierCiphertext: unique('ct_verifier'),
    redirectUri: 'http://127.0.0.1:49296/api/v1/auth-registry/auth/callback/github',
    redirectAfter: null,
    createdAt: new Date('2029-12-31T23:50:00.000Z'),
    expiresAt: new Date('2030-01-01T00:00:00.000Z'),
    ...overrides,
  };
}

/** Asserts that `promise` rejects with a store-family error of `code` whose message avoids `secrets`. */
export async function expectStoreError(
  promise: Promise<unknown>,
  code: string,
  secrets: string[] = [],
): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected a rejection with ${code}`).toBeInstanceOf(Error);
  expect(error).toMatchObject({ code });
  for (const secret of secrets) expect((error as Error).message).not.toContain(secret);
}

/** Settles every promise and counts fulfilled ones and rejections by error code. */
export async function settleAll(
  promises: Promise<unknown>[],
): Promise<{ fulfilled: unknown[]; codes: string[] }> {
  const results = await Promise.allSettled(promises);
  const fulfilled: unknown[] = [];
  const codes: string[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') fulfilled.push(result.value);
    else codes.push(String((result.reason as { code?: unknown })?.code ?? 'NO_CODE'));
  }
  return { fulfilled, codes };
}
