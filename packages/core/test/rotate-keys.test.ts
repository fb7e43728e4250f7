import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRing, generateKey } from '../src/crypto/key-ring.js';
import { rotateKeys } from '../src/crypto/rotate-keys.js';
import type { KeyRing } from '../src/crypto/types.js';
import {
  createKyselyStore,
  createPGliteDialect,
  type Database,
  migrateToLatest,
} from '../src/kysely/index.js';
import type { Store } from '../src/store/ports.js';
import { dumpAllTables } from './helpers/kysely-harness.js';

const K1 = generateKey();
const K2 = generateKey();
const oldRing = createKeyRing([{ id: 'k1', key: K1 }]);
const bothRing = createKeyRing([
  { id: 'k2', key: K2 },
  { id: 'k1', key: K1 },
]);
const newOnly = createKeyRing([{ id: 'k2', key: K2 }]);
const access = (instanceId: string) => ({ table: 'mcp_credentials', column: 'access_token', instanceId });
const refresh = (instanceId: string) => ({ table: 'mcp_credentials', column: 'refresh_token', instanceId });
const secret = (instanceId: string) => ({ table: 'mcp_service_table', column: 'client_secret', instanceId });

let pglite: PGlite;
let db: Kysely<Database>;
let store: Store;

beforeAll(async () => {
  pglite = await PGlite.create();
  db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
  await migrateToLatest(db);
  store = createKyselyStore(db, { locking: 'in-process' });
  await store.services.upsertService({
    name: 'github',
    displayName: 'GitHub',
    authType: 'oauth2',
    status: 'active',
    metadata: {},
  });
});

afterAll(async () => {
  await db.destroy();
  await pglite.close();
});

async function seed(ring: KeyRing, opts: { refresh?: boolean; clientSecret?: boolean } = {}) {
  const instanceId = crypto.randomUUID();
  const clientSecret = opts.clientSecret ? `cs-${instanceId}` : null;
  await store.instances.createInstance({
    instanceId,
    serviceName: 'github',
    userId: 'u1',
    status: 'active',
    config: {
      scopes: ['repo'],
      readOnly: false,
      toolsets: null,
      clientId: clientSecret ? 'cid' : null,
      clientSecretCiphertext: clientSecret ? await ring.encrypt(clientSecret, secret(instanceId)) : null,
    },
  });
  const tokens = { access: `at-${instanceId}`, refresh: opts.refresh === false ? null : `rt-${instanceId}` };
  await store.credentials.saveCredential(
    {
      instanceId,
      accessTokenCiphertext: await ring.encrypt(tokens.access, access(instanceId)),
      refreshTokenCiphertext: tokens.refresh ? await ring.encrypt(tokens.refresh, refresh(instanceId)) : null,
      keyId: ring.activeKeyId,
      tokenType: 'bearer',
      grantedScopes: ['repo'],
      expiresAt: null,
      refreshExpiresAt: null,
      refreshAttempts: 0,
      lastRefreshAt: null,
      lastRefreshError: null,
    },
    null,
  );
  return { instanceId, tokens, clientSecret };
}

describe('rotateKeys', () => {
  it('re-encrypts credentials and client secrets under the active key, once', async () => {
    const seeded = [
      await seed(oldRing),
      await seed(oldRing, { refresh: false }),
      await seed(oldRing, { clientSecret: true }),
      await seed(newOnly),
      await seed(newOnly, { clientSecret: true }),
    ];
    await seed(oldRing); // rotated too; counted below
    const result = await rotateKeys({ store, keyRing: bothRing, batchSize: 2 });
    expect(result.credentials).toBeGreaterThanOrEqual(4);
    expect(result.clientSecrets).toBeGreaterThanOrEqual(1);
    expect(result.rotated).toBe(result.credentials + result.clientSecrets);

    for (const { instanceId, tokens, clientSecret } of seeded) {
      const credential = await store.credentials.getCredential(instanceId);
      expect(credential?.keyId).toBe('k2');
      expect(await newOnly.decrypt(credential!.accessTokenCiphertext, access(instanceId))).toBe(
        tokens.access,
      );
      if (tokens.refresh) {
        expect(await newOnly.decrypt(credential!.refreshTokenCiphertext!, refresh(instanceId))).toBe(
          tokens.refresh,
        );
      } else {
        expect(credential?.refreshTokenCiphertext).toBeNull();
      }
      const instance = await store.instances.getInstance(instanceId);
      if (clientSecret) {
        expect(await newOnly.decrypt(instance!.config.clientSecretCiphertext!, secret(instanceId))).toBe(
          clientSecret,
        );
      }
    }
    expect(await store.credentials.listCredentialsNotUnderKey('k2', 10)).toEqual([]);
    expect(await rotateKeys({ store, keyRing: bothRing })).toEqual({
      rotated: 0,
      credentials: 0,
      clientSecrets: 0,
    });
    const dump = await dumpAllTables(db);
    for (const { tokens, clientSecret } of seeded) {
      expect(dump).not.toContain(tokens.access);
      if (clientSecret) expect(dump).not.toContain(clientSecret);
    }
  });

  it('re-reads and retries when a refresh saves new tokens concurrently', async () => {
    const { instanceId } = await seed(oldRing);
    let raced = false;
    const racing: Store = {
      ...store,
      credentials: {
        ...store.credentials,
        async saveCredential(write, expectedVersion) {
          if (!raced && write.instanceId === instanceId) {
            raced = true;
            const current = (await store.credentials.getCredential(instanceId))!;
            const { version, updatedAt: _u, ...rest } = current;
            await store.credentials.saveCredential(
              {
                ...rest,
                accessTokenCiphertext: await oldRing.encrypt('refreshed-token', access(instanceId)),
              },
              version,
            );
          }
          return store.credentials.saveCredential(write, expectedVersion);
        },
      },
    };
    const result = await rotateKeys({ store: racing, keyRing: bothRing });
    expect(raced).toBe(true);
    expect(result.credentials).toBe(1);
    const credential = (await store.credentials.getCredential(instanceId))!;
    expect(credential.version).toBe(3);
    expect(await newOnly.decrypt(credential.accessTokenCiphertext, access(instanceId))).toBe(
      'refreshed-token',
    );
  });

  it('stops with a CryptoError naming the instance when a row cannot be decrypted', async () => {
    const lost = createKeyRing([{ id: 'k0', key: generateKey() }]);
    const { instanceId, tokens } = await seed(lost);
    const error = await rotateKeys({ store, keyRing: bothRing }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CryptoError', code: 'CRYPTO_KEY_UNKNOWN' });
    expect((error as Error).message).toContain(instanceId);
    expect((error as Error).message).not.toContain(tokens.access);
    await store.instances.deleteInstance(instanceId);
  });

  it('validates batchSize', async () => {
    await expect(rotateKeys({ store, keyRing: bothRing, batchSize: 0 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID_OPTION',
    });
  });
});
