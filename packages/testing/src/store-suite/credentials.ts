import { describe, expect, it } from 'vitest';
import type { CredentialRecord } from '../../../core/src/store/ports.js';
import {
  credentialWrite,
  expectStoreError,
  newInstance,
  type SuiteContext,
  settleAll,
  stateRecord,
  unique,
} from './fixtures.js';

/** `CredentialStore`, including the optimistic version check under concurrency, and cascade delete. */
export function defineCredentialTests(ctx: SuiteContext): void {
  const store = () => ctx.harness().store;
  const instance = async () => (await store().instances.createInstance(newInstance(ctx.serviceA))).instanceId;

  describe('credentials', () => {
    it('creates at version 1 and round-trips every field', async () => {
      const id = await instance();
      const write = credentialWrite(id, {
        lastRefreshAt: new Date('2029-12-31T00:00:00.123Z'),
        lastRefreshError: 'upstream 503',
        refreshAttempts: 2,
        grantedScopes: ['a', 'b c', 'd:e'],
      });
      const saved = await store().credentials.saveCredential(write, null);
      expect(saved).toMatchObject({ ...write, version: 1 });
      expect(saved.updatedAt).toBeInstanceOf(Date);
      expect(await store().credentials.getCredential(id)).toEqual(saved);
    });

    it('stores nulls and empty scope lists', async () => {
      const id = await instance();
      const write = credentialWrite(id, {
        refreshTokenCiphertext: null,
        expiresAt: null,
        refreshExpiresAt: null,
        grantedScopes: [],
      });
      expect(await store().credentials.saveCredential(write, null)).toMatchObject({ ...write, version: 1 });
    });

    it('increments the version and rejects stale versions with STORE_CONFLICT', async () => {
      const id = await instance();
      await store().credentials.saveCredential(credentialWrite(id), null);
      await expectStoreError(store().credentials.saveCredential(credentialWrite(id), null), 'STORE_CONFLICT');
      const next = credentialWrite(id, { keyId: 'k2', expiresAt: new Date('2031-01-01T00:00:00.000Z') });
      const v2 = await store().credentials.saveCredential(next, 1);
      expect(v2).toMatchObject({ ...next, version: 2 });
      await expectStoreError(store().credentials.saveCredential(credentialWrite(id), 1), 'STORE_CONFLICT');
      await expectStoreError(store().credentials.saveCredential(credentialWrite(id), 7), 'STORE_CONFLICT');
      expect(await store().credentials.getCredential(id)).toEqual(v2);
    });

    it('conflicts when an expected version has no row, and refuses unknown instances', async () => {
      const id = await instance();
      await expectStoreError(store().credentials.saveCredential(credentialWrite(id), 1), 'STORE_CONFLICT');
      expect(await store().credentials.getCredential(id)).toBeNull();
      const write = credentialWrite(crypto.randomUUID());
      await expectStoreError(store().credentials.saveCredential(write, null), 'STORE_NOT_FOUND', [
        write.accessTokenCiphertext,
      ]);
      await expectStoreError(
        store().credentials.saveCredential(credentialWrite('not-a-uuid'), null),
        'STORE_INVALID_INPUT',
      );
    });

    it('lets exactly one of 10 concurrent saves with the same expectedVersion win', async () => {
      const id = await instance();
      await store().credentials.saveCredential(credentialWrite(id), null);
      const writes = Array.from({ length: 10 }, () => credentialWrite(id));
      const { fulfilled, codes } = await settleAll(
        writes.map((w) => store().credentials.saveCredential(w, 1)),
      );
      expect(fulfilled).toHaveLength(1);
      expect(codes).toEqual(Array(9).fill('STORE_CONFLICT'));
      const winner = fulfilled[0] as CredentialRecord;
      expect(winner.version).toBe(2);
      expect(await store().credentials.getCredential(id)).toEqual(winner);
    });

    it('lets exactly one of 10 concurrent first saves win', async () => {
      const id = await instance();
      const { fulfilled, codes } = await settleAll(
        Array.from({ length: 10 }, () => store().credentials.saveCredential(credentialWrite(id), null)),
      );
      expect(fulfilled).toHaveLength(1);
      expect(codes).toEqual(Array(9).fill('STORE_CONFLICT'));
    });

    it('deletes a credential but keeps the instance', async () => {
      const id = await instance();
      await store().credentials.saveCredential(credentialWrite(id), null);
      expect(await store().credentials.deleteCredential(id)).toBe(true);
      expect(await store().credentials.deleteCredential(id)).toBe(false);
      expect(await store().credentials.deleteCredential('nope')).toBe(false);
      expect(await store().credentials.getCredential(id)).toBeNull();
      expect(await store().credentials.getCredential('nope')).toBeNull();
      expect(await store().instances.getInstance(id)).not.toBeNull();
      expect((await store().credentials.saveCredential(credentialWrite(id), null)).version).toBe(1);
    });

    it('lists credentials not under the active key', async () => {
      const active = unique('new');
      const old = unique('old');
      const oldIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = await instance();
        oldIds.push(id);
        await store().credentials.saveCredential(credentialWrite(id, { keyId: old }), null);
      }
      const current = await instance();
      await store().credentials.saveCredential(credentialWrite(current, { keyId: active }), null);
      const listed = await store().credentials.listCredentialsNotUnderKey(active, 500);
      expect(listed.every((c) => c.keyId !== active)).toBe(true);
      expect(listed.map((c) => c.instanceId)).toEqual(expect.arrayContaining(oldIds));
      expect(listed.map((c) => c.instanceId)).not.toContain(current);
      expect(await store().credentials.listCredentialsNotUnderKey(active, 2)).toHaveLength(2);
    });
  });

  describe('cascade', () => {
    it('deleting an instance removes its credentials, states and API keys', async () => {
      const id = await instance();
      const write = await store().credentials.saveCredential(credentialWrite(id), null);
      const state = stateRecord(id, ctx.serviceA);
      await store().states.createState(state);
      const keyHash = unique('keyhash');
      await store().apiKeys.createApiKey({
        keyId: unique('key'),
        instanceId: id,
        keyHash,
        prefix: 'mcp_ab',
        name: null,
        createdAt: new Date(),
      });
      const before = await ctx.harness().dumpAllTables();
      for (const marker of [id, write.accessTokenCiphertext, state.stateHash, keyHash]) {
        expect(before).toContain(marker);
      }

      expect(await store().instances.deleteInstance(id)).toBe(true);
      expect(await store().instances.deleteInstance(id)).toBe(false);
      expect(await store().instances.getInstance(id)).toBeNull();
      expect(await store().credentials.getCredential(id)).toBeNull();
      expect(await store().apiKeys.findApiKeyByHash(keyHash)).toBeNull();
      expect(await store().apiKeys.listApiKeys(id)).toEqual([]);
      expect(await store().states.consumeState(state.stateHash, new Date())).toEqual({ outcome: 'unknown' });
      const after = await ctx.harness().dumpAllTables();
      for (const marker of [id, write.accessTokenCiphertext, state.stateHash, keyHash]) {
        expect(after).not.toContain(marker);
      }
    });
  });
}
