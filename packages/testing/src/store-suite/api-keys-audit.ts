import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../../core/src/store/ports.js';
import { expectStoreError, newInstance, type SuiteContext, unique } from './fixtures.js';

/** `ApiKeyStore` and `AuditStore`. */
export function defineApiKeyAndAuditTests(ctx: SuiteContext): void {
  const store = () => ctx.harness().store;
  const instance = async () => (await store().instances.createInstance(newInstance(ctx.serviceA))).instanceId;
  const apiKey = (instanceId: string, createdAt: Date): Omit<ApiKeyRecord, 'lastUsedAt'> => ({
    keyId: unique('key'),
    instanceId,
    keyHash: unique('hash'),
    prefix: 'mcp_12ab',
    name: 'laptop',
    createdAt,
  });

  describe('api keys', () => {
    it('creates, finds by hash, lists, touches and deletes keys scoped to their instance', async () => {
      const id = await instance();
      const other = await instance();
      const k1 = apiKey(id, new Date('2030-01-01T00:00:00.000Z'));
      const k2 = { ...apiKey(id, new Date('2030-01-02T00:00:00.000Z')), name: null };
      expect(await store().apiKeys.createApiKey(k1)).toEqual({ ...k1, lastUsedAt: null });
      await store().apiKeys.createApiKey(k2);
      expect(await store().apiKeys.findApiKeyByHash(k1.keyHash)).toEqual({ ...k1, lastUsedAt: null });
      expect(await store().apiKeys.findApiKeyByHash(unique('nohash'))).toBeNull();
      expect((await store().apiKeys.listApiKeys(id)).map((k) => k.keyId)).toEqual([k1.keyId, k2.keyId]);
      expect(await store().apiKeys.listApiKeys(other)).toEqual([]);
      expect(await store().apiKeys.listApiKeys('not-a-uuid')).toEqual([]);

      const used = new Date('2030-02-01T00:00:00.000Z');
      await store().apiKeys.touchApiKey(k2.keyId, used);
      expect((await store().apiKeys.findApiKeyByHash(k2.keyHash))?.lastUsedAt).toEqual(used);

      expect(await store().apiKeys.deleteApiKey(other, k1.keyId)).toBe(false);
      expect(await store().apiKeys.deleteApiKey('not-a-uuid', k1.keyId)).toBe(false);
      expect(await store().apiKeys.findApiKeyByHash(k1.keyHash)).not.toBeNull();
      expect(await store().apiKeys.deleteApiKey(id, k1.keyId)).toBe(true);
      expect(await store().apiKeys.deleteApiKey(id, k1.keyId)).toBe(false);
      expect(await store().apiKeys.findApiKeyByHash(k1.keyHash)).toBeNull();
      expect((await store().apiKeys.listApiKeys(id)).map((k) => k.keyId)).toEqual([k2.keyId]);
    });

    it('rejects a duplicate hash or id, and keys of unknown instances', async () => {
      const id = await instance();
      const key = apiKey(id, new Date());
      await store().apiKeys.createApiKey(key);
      await expectStoreError(
        store().apiKeys.createApiKey({ ...key, keyId: unique('key') }),
        'STORE_DUPLICATE',
        [key.keyHash],
      );
      await expectStoreError(
        store().apiKeys.createApiKey({ ...key, keyHash: unique('hash') }),
        'STORE_DUPLICATE',
      );
      await expectStoreError(
        store().apiKeys.createApiKey(apiKey(crypto.randomUUID(), new Date())),
        'STORE_NOT_FOUND',
      );
    });
  });

  describe('audit log', () => {
    it('appends and lists newest first, per instance or overall', async () => {
      const id = await instance();
      const base = Date.parse('2031-01-01T00:00:00.000Z') + Math.floor(Math.random() * 1e9);
      const event = (offset: number, instanceId: string | null) => ({
        at: new Date(base + offset),
        instanceId,
        actor: 'admin',
        event: unique('oauth.callback'),
        outcome: offset % 2 ? ('failure' as const) : ('success' as const),
        requestId: offset === 2 ? null : unique('req'),
        details: { offset, list: [1, 'two'], nested: { ok: true } },
      });
      const events = [event(1, id), event(2, id), event(3, id), event(4, null)];
      for (const e of events) await store().audit.appendAudit(e);
      expect(await store().audit.listAudit({ instanceId: id, limit: 2 })).toEqual([events[2], events[1]]);
      expect(await store().audit.listAudit({ instanceId: id, limit: 10 })).toEqual([
        events[2],
        events[1],
        events[0],
      ]);
      expect(await store().audit.listAudit({ limit: 1000 })).toEqual(expect.arrayContaining(events));
      expect(await store().audit.listAudit({ instanceId: 'nope', limit: 10 })).toEqual([]);
    });

    it('appends a batch in one write, and none of it when a record is invalid', async (ctx) => {
      const appendAudits = store().audit.appendAudits;
      if (appendAudits === undefined) return ctx.skip();
      const id = await instance();
      const at = Date.parse('2032-01-01T00:00:00.000Z') + Math.floor(Math.random() * 1e9);
      const batch = [1, 2, 3].map((offset) => ({
        at: new Date(at + offset),
        instanceId: id,
        actor: 'api_key:k',
        event: unique('tool.called'),
        outcome: 'success' as const,
        requestId: unique('req'),
        details: { tool: 'get_me', durationMs: offset },
      }));
      await appendAudits(batch);
      await appendAudits([]);
      expect(await store().audit.listAudit({ instanceId: id, limit: 10 })).toEqual([...batch].reverse());
      const other = await instance();
      const bad = [
        { ...batch[0]!, instanceId: other },
        { ...batch[1]!, instanceId: 'not-a-uuid' },
      ];
      await expect(appendAudits(bad)).rejects.toMatchObject({ code: 'STORE_INVALID_INPUT' });
      expect(await store().audit.listAudit({ instanceId: other, limit: 10 })).toEqual([]);
    });

    it('keeps audit records after the instance is deleted', async () => {
      const id = await instance();
      const entry = {
        at: new Date(),
        instanceId: id,
        actor: 'system',
        event: 'instance.deleted',
        outcome: 'success' as const,
        requestId: null,
        details: {},
      };
      await store().audit.appendAudit(entry);
      await store().instances.deleteInstance(id);
      expect(await store().audit.listAudit({ instanceId: id, limit: 5 })).toEqual([entry]);
    });
  });
}
