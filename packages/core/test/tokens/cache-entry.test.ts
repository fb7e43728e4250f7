import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../src/store/ports.js';
import { readCacheEntry } from '../../src/tokens/cache-entry.js';
import { createTokenHarness, MARGIN, type TokenHarness } from './support/harness.js';

describe('readCacheEntry (host warm-up, POST /cache-tokens, cache sync)', () => {
  let h: TokenHarness;
  beforeAll(async () => {
    h = await createTokenHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const instanceOf = async (instanceId: string): Promise<InstanceRecord> =>
    (await h.store.instances.getInstance(instanceId)) as InstanceRecord;
  const read = async (instanceId: string) =>
    readCacheEntry({ store: h.store, keyRing: h.keyRing, now: h.clock.now }, await instanceOf(instanceId));

  it('builds the entry the token manager caches: decrypted token, version, no refresh token', async () => {
    const seeded = await h.seed();
    const credential = await h.credential(seeded.instanceId);
    expect(await read(seeded.instanceId)).toEqual({
      bearerToken: seeded.accessToken,
      refreshToken: null,
      expiresAt: seeded.expiresAt,
      user_id: 'user-1',
      last_used: new Date(h.clock.now()).toISOString(),
      refresh_attempts: 0,
      cached_at: new Date(h.clock.now()).toISOString(),
      last_modified: credential.updatedAt.toISOString(),
      status: 'active',
      version: credential.version,
      grantedScopes: ['read', 'write'],
      tokenType: 'bearer',
    });
    expect(h.upstream.refreshCalls).toBe(0);
  });

  it('returns nothing for tokens within the margin, inactive instances and instances without tokens', async () => {
    const due = await h.seed({ expiresInMs: MARGIN - 1_000 });
    expect(await read(due.instanceId)).toBeUndefined();
    const reauth = await h.seed({ status: 'needs_reauth' });
    expect(await read(reauth.instanceId)).toBeUndefined();
    const never = await h.seed({ expiresInMs: null });
    expect((await read(never.instanceId))?.expiresAt).toBeNull();
    await h.store.credentials.deleteCredential(never.instanceId);
    expect(await read(never.instanceId)).toBeUndefined();
  });
});
