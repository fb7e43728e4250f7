import { describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../../core/src/store/ports.js';
import { config, expectStoreError, newInstance, type SuiteContext, unique } from './fixtures.js';

/** `ServiceStore` and `InstanceStore`. */
export function defineServiceAndInstanceTests(ctx: SuiteContext): void {
  const store = () => ctx.harness().store;

  describe('services', () => {
    it('upserts idempotently, keeping registeredAt', async () => {
      const name = unique('svc');
      const first = await store().services.upsertService({
        name,
        displayName: 'First',
        authType: 'oauth2',
        status: 'active',
        metadata: { scopes: ['a', 'b'], nested: { n: 1 } },
      });
      expect(first).toMatchObject({
        name,
        displayName: 'First',
        metadata: { scopes: ['a', 'b'], nested: { n: 1 } },
      });
      expect(first.registeredAt).toBeInstanceOf(Date);
      const second = await store().services.upsertService({
        name,
        displayName: 'Second',
        authType: 'oauth2',
        status: 'disabled',
        metadata: {},
      });
      expect(second).toMatchObject({ name, displayName: 'Second', status: 'disabled', metadata: {} });
      expect(second.registeredAt.getTime()).toBe(first.registeredAt.getTime());
      expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
      expect(await store().services.getService(name)).toEqual(second);
    });

    it('gets null for an unknown service and lists services by name', async () => {
      expect(await store().services.getService(unique('missing'))).toBeNull();
      const names = (await store().services.listServices()).map((s) => s.name);
      expect(names).toEqual([...names].sort());
      expect(names).toEqual(expect.arrayContaining([ctx.serviceA, ctx.serviceB]));
    });
  });

  describe('instances', () => {
    it('creates and reads an instance', async () => {
      const input = newInstance(ctx.serviceA, {
        status: 'pending_oauth',
        config: config({
          scopes: ['repo'],
          readOnly: true,
          toolsets: ['issues'],
          clientId: 'cid',
          clientSecretCiphertext: 'v1.k1.x.y',
        }),
      });
      const created = await store().instances.createInstance(input);
      expect(created).toMatchObject({
        ...input,
        upstreamSubject: null,
        upstreamLogin: null,
        lastUsedAt: null,
        oauthCompletedAt: null,
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await store().instances.getInstance(input.instanceId)).toEqual(created);
    });

    it('rejects a duplicate id with STORE_DUPLICATE and leaves the row alone', async () => {
      const input = newInstance(ctx.serviceA);
      const created = await store().instances.createInstance(input);
      await expectStoreError(
        store().instances.createInstance({ ...input, userId: 'someone-else' }),
        'STORE_DUPLICATE',
        [input.instanceId],
      );
      expect(await store().instances.getInstance(input.instanceId)).toEqual(created);
    });

    it('rejects a non-UUID id and an unregistered service', async () => {
      await expectStoreError(
        store().instances.createInstance(
          newInstance(ctx.serviceA, { instanceId: "x'; drop table mcp_table; --" }),
        ),
        'STORE_INVALID_INPUT',
        ['drop table'],
      );
      await expectStoreError(
        store().instances.createInstance(newInstance(unique('nosvc'))),
        'STORE_NOT_FOUND',
      );
    });

    it('finds nothing for unknown or malformed ids', async () => {
      for (const id of [crypto.randomUUID(), 'not-a-uuid', "' OR 1=1 --", '', '../etc/passwd']) {
        expect(await store().instances.getInstance(id)).toBeNull();
        expect(await store().instances.deleteInstance(id)).toBe(false);
        await expectStoreError(store().instances.updateInstance(id, { status: 'active' }), 'STORE_NOT_FOUND');
      }
    });

    it('updates only the patched fields', async () => {
      const created = await store().instances.createInstance(
        newInstance(ctx.serviceA, { status: 'pending_oauth' }),
      );
      const completed = new Date('2030-01-01T10:00:00.000Z');
      const updated = await store().instances.updateInstance(created.instanceId, {
        status: 'active',
        upstreamSubject: '42',
        upstreamLogin: 'octocat',
        oauthCompletedAt: completed,
      });
      expect(updated).toMatchObject({
        status: 'active',
        upstreamSubject: '42',
        upstreamLogin: 'octocat',
        oauthCompletedAt: completed,
        userId: created.userId,
        config: created.config,
        lastUsedAt: null,
      });
      expect(updated.createdAt.getTime()).toBe(created.createdAt.getTime());
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      const used = new Date('2030-01-02T00:00:00.000Z');
      const again = await store().instances.updateInstance(created.instanceId, {
        lastUsedAt: used,
        config: config({ readOnly: true, toolsets: [] }),
      });
      expect(again).toMatchObject({ status: 'active', upstreamLogin: 'octocat', lastUsedAt: used });
      expect(again.config).toEqual(config({ readOnly: true, toolsets: [] }));
      expect(await store().instances.getInstance(created.instanceId)).toEqual(again);
    });

    it('filters by service, user and status', async () => {
      const userId = unique('owner');
      const a1 = await store().instances.createInstance(
        newInstance(ctx.serviceA, { userId, status: 'active' }),
      );
      const a2 = await store().instances.createInstance(
        newInstance(ctx.serviceA, { userId, status: 'needs_reauth' }),
      );
      const b1 = await store().instances.createInstance(
        newInstance(ctx.serviceB, { userId, status: 'active' }),
      );
      const ids = async (q: Parameters<ReturnType<typeof store>['instances']['listInstances']>[0]) =>
        (await store().instances.listInstances(q)).items.map((i) => i.instanceId).sort();
      expect(await ids({ userId, limit: 10 })).toEqual([a1, a2, b1].map((i) => i.instanceId).sort());
      expect(await ids({ userId, serviceName: ctx.serviceA, limit: 10 })).toEqual(
        [a1, a2].map((i) => i.instanceId).sort(),
      );
      expect(await ids({ userId, status: 'active', limit: 10 })).toEqual(
        [a1, b1].map((i) => i.instanceId).sort(),
      );
      expect(await ids({ userId, serviceName: ctx.serviceB, status: 'needs_reauth', limit: 10 })).toEqual([]);
    });

    it('pages through 25 instances in pages of 10', async () => {
      const userId = unique('pager');
      const created: InstanceRecord[] = [];
      for (let i = 0; i < 25; i++) {
        created.push(
          await store().instances.createInstance(
            newInstance(i % 2 ? ctx.serviceA : ctx.serviceB, { userId }),
          ),
        );
      }
      const sizes: number[] = [];
      const seen: InstanceRecord[] = [];
      let cursor: string | null = null;
      do {
        const page = await store().instances.listInstances({ userId, limit: 10, cursor });
        sizes.push(page.items.length);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(sizes).toEqual([10, 10, 5]);
      const expected = [...created].sort(
        (x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.instanceId < y.instanceId ? -1 : 1),
      );
      expect(seen.map((i) => i.instanceId)).toEqual(expected.map((i) => i.instanceId));
      const exact = await store().instances.listInstances({ userId, limit: 25 });
      expect(exact.items).toHaveLength(25);
      expect(exact.nextCursor).toBeNull();
    });

    it('rejects a forged cursor and an out-of-range limit', async () => {
      await expectStoreError(
        store().instances.listInstances({ limit: 10, cursor: 'bm90LWEtY3Vyc29y' }),
        'STORE_INVALID_INPUT',
      );
      await expectStoreError(
        store().instances.listInstances({ limit: 10, cursor: '%%%' }),
        'STORE_INVALID_INPUT',
      );
      await expectStoreError(store().instances.listInstances({ limit: 0 }), 'STORE_INVALID_INPUT');
      await expectStoreError(store().instances.listInstances({ limit: 501 }), 'STORE_INVALID_INPUT');
    });

    it('deletes stale pending instances in batches and nothing else', async () => {
      const future = new Date(Date.now() + 3_600_000);
      await store().instances.deleteStalePending(future, 10_000);
      const userId = unique('stale');
      const pending = [];
      for (let i = 0; i < 3; i++) {
        pending.push(
          await store().instances.createInstance(
            newInstance(ctx.serviceA, { userId, status: 'pending_oauth' }),
          ),
        );
      }
      const active = await store().instances.createInstance(
        newInstance(ctx.serviceA, { userId, status: 'active' }),
      );
      expect(await store().instances.deleteStalePending(new Date(0), 10)).toBe(0);
      expect(await store().instances.deleteStalePending(future, 2)).toBe(2);
      expect(await store().instances.deleteStalePending(future, 2)).toBe(1);
      expect(await store().instances.deleteStalePending(future, 2)).toBe(0);
      for (const p of pending) expect(await store().instances.getInstance(p.instanceId)).toBeNull();
      expect(await store().instances.getInstance(active.instanceId)).toEqual(active);
    });
  });
}
