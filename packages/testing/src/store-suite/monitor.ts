import { describe, expect, it } from 'vitest';
import type { CredentialWrite, InstanceStatus } from '../../../core/src/store/ports.js';
import { credentialWrite, expectStoreError, newInstance, type SuiteContext } from './fixtures.js';

// Each test works in its own decade (1960s/70s), far before every other test's rows, because monitor queries
// look at the whole table.
const ms = (iso: string) => new Date(iso);

/** `MonitorStore`: keyset paging and filters of the expiration monitor's queries. */
export function defineMonitorTests(ctx: SuiteContext): void {
  const store = () => ctx.harness().store;

  async function seed(
    status: InstanceStatus,
    credential: Partial<CredentialWrite>,
    lastUsedAt: Date | null = null,
    serviceName = ctx.serviceA,
  ): Promise<string> {
    const instance = await store().instances.createInstance(newInstance(serviceName, { status }));
    await store().credentials.saveCredential(credentialWrite(instance.instanceId, credential), null);
    if (lastUsedAt !== null) await store().instances.updateInstance(instance.instanceId, { lastUsedAt });
    return instance.instanceId;
  }

  describe('monitor queries', () => {
    it('listDueForRefresh pages active, refreshable credentials by (expires_at, instance_id)', async () => {
      const first = await seed('active', { expiresAt: ms('1971-01-01T00:00:01Z'), refreshAttempts: 2 });
      const tieA = await seed('active', { expiresAt: ms('1971-01-01T00:00:02Z') }, null, ctx.serviceB);
      const tieB = await seed('active', { expiresAt: ms('1971-01-01T00:00:02Z') });
      const atBefore = await seed('active', { expiresAt: ms('1971-01-01T00:05:00Z') });
      await seed('active', { expiresAt: ms('1971-01-01T00:05:01Z') });
      await seed('active', { expiresAt: ms('1971-01-01T00:00:01Z'), refreshTokenCiphertext: null });
      await seed('needs_reauth', { expiresAt: ms('1971-01-01T00:00:01Z') });
      await seed('expired', { expiresAt: ms('1971-01-01T00:00:01Z') });
      const before = ms('1971-01-01T00:05:00Z');
      const [tie1, tie2] = [tieA, tieB].sort();

      // Start after this test's decade begins: other tests' rows may be due earlier.
      const start = {
        expiresAt: ms('1971-01-01T00:00:00Z'),
        instanceId: '00000000-0000-0000-0000-000000000000',
      };
      const page1 = await store().monitor.listDueForRefresh(before, start, 2);
      expect(page1.map((d) => d.instanceId)).toEqual([first, tie1]);
      expect(page1[0]).toEqual({
        instanceId: first,
        serviceName: ctx.serviceA,
        status: 'active',
        expiresAt: ms('1971-01-01T00:00:01Z'),
        hasRefreshToken: true,
        lastUsedAt: null,
        lastRefreshAt: null,
        refreshAttempts: 2,
      });
      const last1 = page1[1]!;
      const page2 = await store().monitor.listDueForRefresh(
        before,
        { expiresAt: last1.expiresAt!, instanceId: last1.instanceId },
        2,
      );
      expect(page2.map((d) => d.instanceId)).toEqual([tie2, atBefore]);
      const last2 = page2[1]!;
      expect(
        await store().monitor.listDueForRefresh(
          before,
          { expiresAt: last2.expiresAt!, instanceId: last2.instanceId },
          2,
        ),
      ).toEqual([]);
    });

    it('listIdle pages active, refreshable credentials neither used nor refreshed since the cutoff', async () => {
      const idleSince = ms('1969-01-01T00:00:00Z');
      const old = ms('1968-01-01T00:00:00Z');
      const neverUsed = await seed('active', { lastRefreshAt: old, expiresAt: null });
      const usedLongAgo = await seed('active', { lastRefreshAt: old }, ms('1968-06-01T00:00:00Z'));
      await seed('active', { lastRefreshAt: old }, ms('1969-06-01T00:00:00Z'));
      await seed('active', { lastRefreshAt: ms('1969-01-01T00:00:00Z') });
      await seed('active', { lastRefreshAt: old, refreshTokenCiphertext: null });
      await seed('needs_reauth', { lastRefreshAt: old });
      // Never refreshed: counts from its last write (now), so it is not idle.
      await seed('active', { lastRefreshAt: null });
      const [idle1, idle2] = [neverUsed, usedLongAgo].sort();

      const page1 = await store().monitor.listIdle(idleSince, null, 1);
      expect(page1.map((d) => d.instanceId)).toEqual([idle1]);
      expect(page1[0]).toMatchObject({ status: 'active', hasRefreshToken: true, lastRefreshAt: old });
      const page2 = await store().monitor.listIdle(idleSince, idle1!, 1);
      expect(page2.map((d) => d.instanceId)).toEqual([idle2]);
      expect(await store().monitor.listIdle(idleSince, idle2!, 1)).toEqual([]);
      const used = (await store().monitor.listIdle(idleSince, null, 10)).find(
        (d) => d.instanceId === usedLongAgo,
      );
      expect(used?.lastUsedAt).toEqual(ms('1968-06-01T00:00:00Z'));
    });

    it('markExpired marks only active, expired credentials without refresh token, in batches', async () => {
      const now = ms('1965-06-01T00:00:00Z');
      const noRefresh = { refreshTokenCiphertext: null };
      const e1 = await seed('active', { ...noRefresh, expiresAt: ms('1965-01-01T00:00:01Z') });
      const e2 = await seed('active', { ...noRefresh, expiresAt: ms('1965-01-01T00:00:02Z') });
      const e3 = await seed('active', { ...noRefresh, expiresAt: ms('1965-01-01T00:00:03Z') });
      const refreshable = await seed('active', { expiresAt: ms('1965-01-01T00:00:01Z') });
      const reauth = await seed('needs_reauth', { ...noRefresh, expiresAt: ms('1965-01-01T00:00:01Z') });
      const later = await seed('active', { ...noRefresh, expiresAt: ms('1965-12-01T00:00:00Z') });
      const never = await seed('active', { ...noRefresh, expiresAt: null });

      expect(await store().monitor.markExpired(now, 2)).toEqual([e1, e2]);
      expect(await store().monitor.markExpired(now, 10)).toEqual([e3]);
      expect(await store().monitor.markExpired(now, 10)).toEqual([]);
      const status = async (id: string) => (await store().instances.getInstance(id))?.status;
      for (const id of [e1, e2, e3]) expect(await status(id)).toBe('expired');
      expect(await status(refreshable)).toBe('active');
      expect(await status(reauth)).toBe('needs_reauth');
      expect(await status(later)).toBe('active');
      expect(await status(never)).toBe('active');
    });

    it('refuses limits out of range and malformed cursors', async () => {
      const at = ms('1960-01-01T00:00:00Z');
      await expectStoreError(store().monitor.listDueForRefresh(at, null, 0), 'STORE_INVALID_INPUT');
      await expectStoreError(store().monitor.listIdle(at, null, 1_001), 'STORE_INVALID_INPUT');
      await expectStoreError(store().monitor.markExpired(at, -1), 'STORE_INVALID_INPUT');
      await expectStoreError(
        store().monitor.listDueForRefresh(at, { expiresAt: at, instanceId: 'not-a-uuid' }, 10),
        'STORE_INVALID_INPUT',
      );
      await expectStoreError(store().monitor.listIdle(at, 'not-a-uuid', 10), 'STORE_INVALID_INPUT');
    });
  });
}
