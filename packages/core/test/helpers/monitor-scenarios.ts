import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RefreshError } from '../../src/errors/index.js';
import {
  createExpirationMonitor,
  type ExpirationMonitor,
} from '../../src/monitor/create-expiration-monitor.js';
import type { ExpirationMonitorOptions } from '../../src/monitor/options.js';
import type { Store } from '../../src/store/ports.js';
import type { TokenEventName, TokenEvents } from '../../src/tokens/ports.js';
import type { Logger } from '../../src/util/types.js';
import {
  count,
  deferred,
  fakeTokens,
  type MonitorHarness,
  type MonitorHarnessFactory,
  resetDatabase,
  seed,
} from './monitor-harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Recorded events of one monitor. */
function recorder() {
  const events: Array<{ name: TokenEventName; event: unknown }> = [];
  return {
    events,
    of: <E extends TokenEventName>(name: E) =>
      events.filter((e) => e.name === name).map((e) => e.event as TokenEvents[E]),
    emit<E extends TokenEventName>(name: E, event: TokenEvents[E]) {
      events.push({ name, event });
    },
  };
}

function recordingLogger(lines: string[]): Logger {
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push(JSON.stringify({ level, message, fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The monitor scenarios of issue 3 §3, run against one database back-end. */
export function defineMonitorScenarios(label: string, factory: MonitorHarnessFactory): void {
  describe(`expiration monitor (${label})`, () => {
    let h: MonitorHarness;
    const monitors: ExpirationMonitor[] = [];
    const monitor = (
      options: Partial<ExpirationMonitorOptions> & Pick<ExpirationMonitorOptions, 'tokens'>,
    ) => {
      const created = createExpirationMonitor({ store: h.store, now: () => h.clock.now, ...options });
      monitors.push(created);
      return created;
    };

    beforeAll(async () => {
      h = await factory();
    });
    afterAll(async () => {
      await h?.close();
    });
    beforeEach(async () => {
      await Promise.all(monitors.splice(0).map((m) => m.stop()));
      await resetDatabase(h);
    });

    it('refreshes tokens near expiry and idle ones, leaves the others alone', async () => {
      const near = await seed(h, { expiresInMs: 2 * MINUTE });
      const lapsed = await seed(h, { expiresInMs: -MINUTE, service: 'svc_b' });
      const idle = await seed(h, { expiresInMs: 30 * DAY, lastRefreshInMs: -8 * DAY });
      await seed(h, { expiresInMs: 2 * HOUR });
      await seed(h, { expiresInMs: 30 * DAY, lastRefreshInMs: -8 * DAY, lastUsedInMs: -DAY });
      await seed(h, { expiresInMs: null, lastRefreshInMs: -DAY });
      await seed(h, { expiresInMs: 2 * MINUTE, status: 'needs_reauth' });
      await seed(h, { expiresInMs: HOUR, refreshToken: false });
      const tokens = fakeTokens(h);
      const events = recorder();
      const m = monitor({ tokens, events });

      const summary = await m.sweep();
      expect(summary).toMatchObject({
        skipped: false,
        refreshed: 3,
        idleRefreshed: 1,
        failed: 0,
        expired: 0,
      });
      expect([...tokens.calls].sort()).toEqual([near, lapsed, idle].sort());
      expect(events.of('expiring').map((e) => e.instanceId)).toEqual([lapsed, near]);
      expect(events.of('expiring')[0]).toEqual({
        instanceId: lapsed,
        serviceName: 'svc_b',
        expiresAt: new Date(h.clock.now - MINUTE),
      });

      // Refreshed tokens are neither due nor idle any more.
      expect(await m.sweep()).toMatchObject({ skipped: false, refreshed: 0 });
      expect(tokens.calls).toHaveLength(3);
      // Later the hour-long tokens come due again.
      h.clock.now += 56 * MINUTE;
      expect((await m.sweep()).refreshed).toBe(3);
    });

    it('marks expired tokens without refresh token and emits expired', async () => {
      const gone = await seed(h, { expiresInMs: -MINUTE, refreshToken: false, service: 'svc_b' });
      const valid = await seed(h, { expiresInMs: HOUR, refreshToken: false });
      const never = await seed(h, { expiresInMs: null, refreshToken: false });
      const events = recorder();
      const summary = await monitor({ tokens: fakeTokens(h), events }).sweep();
      expect(summary).toMatchObject({ expired: 1, refreshed: 0 });
      expect(events.of('expired')).toEqual([
        { instanceId: gone, serviceName: 'svc_b', expiredAt: new Date(h.clock.now - MINUTE) },
      ]);
      expect((await h.store.instances.getInstance(gone))?.status).toBe('expired');
      expect((await h.store.instances.getInstance(valid))?.status).toBe('active');
      expect((await h.store.instances.getInstance(never))?.status).toBe('active');
    });

    it('deletes stale pending instances and expired or consumed states in pages, keeps fresh ones', async () => {
      for (let i = 0; i < 5; i++)
        await seed(h, {
          status: 'pending_oauth',
          expiresInMs: null,
          noCredential: true,
          createdInMs: -10 * MINUTE,
        });
      const fresh = await seed(h, {
        status: 'pending_oauth',
        expiresInMs: null,
        noCredential: true,
        createdInMs: -MINUTE,
      });
      const owner = await seed(h, { expiresInMs: null });
      const state = (hash: string, expiresInMs: number) =>
        h.store.states.createState({
          stateHash: hash,
          instanceId: owner,
          serviceName: 'svc_a',
          codeVerifierCiphertext: null,
          redirectUri: 'http://127.0.0.1/cb',
          redirectAfter: null,
          createdAt: new Date(h.clock.now - 10 * MINUTE),
          expiresAt: new Date(h.clock.now + expiresInMs),
        });
      for (let i = 0; i < 3; i++) await state(`expired-${i}`, -1_000);
      await state('consumed', 5 * MINUTE);
      await h.store.states.consumeState('consumed', new Date(h.clock.now - MINUTE));
      await state('live', 5 * MINUTE);

      const summary = await monitor({ tokens: fakeTokens(h), pageSize: 2 }).sweep();
      expect(summary).toMatchObject({ pendingDeleted: 5, statesDeleted: 4 });
      expect(await h.store.instances.getInstance(fresh)).not.toBeNull();
      expect(await count(h, 'mcp_service_table')).toBe(2);
      expect(await count(h, 'mcp_oauth_states')).toBe(1);
      expect((await h.store.states.consumeState('live', new Date(h.clock.now))).outcome).toBe('consumed');
    });

    it('never lets two monitors sweep at once', async () => {
      const due = await seed(h, { expiresInMs: MINUTE });
      const entered = deferred();
      const gate = deferred();
      const tokensA = fakeTokens(h, async () => {
        entered.resolve();
        await gate.promise;
      });
      const tokensB = fakeTokens(h);
      const a = monitor({ tokens: tokensA, owner: 'replica-a', intervalMs: MINUTE });
      const b = monitor({ tokens: tokensB, owner: 'replica-b', intervalMs: MINUTE, store: h.otherStore });

      const sweepA = a.sweep();
      try {
        await entered.promise;
        expect(await b.sweep()).toMatchObject({ skipped: true, refreshed: 0 });
        expect(await a.sweep()).toMatchObject({ skipped: true });
      } finally {
        gate.resolve();
      }
      expect(await sweepA).toMatchObject({ skipped: false, refreshed: 1 });
      expect(tokensA.calls).toEqual([due]);
      expect(tokensB.calls).toEqual([]);

      // The sweeper keeps its lease between sweeps; others take over once it lapses or is given up.
      expect((await b.sweep()).skipped).toBe(true);
      h.clock.now += 3 * MINUTE;
      expect((await b.sweep()).skipped).toBe(false);
      expect((await a.sweep()).skipped).toBe(true);
      await b.stop();
      expect((await a.sweep()).skipped).toBe(false);
    });

    it('bounds concurrent refreshes per provider', async () => {
      for (const service of ['svc_a', 'svc_b']) {
        for (let i = 0; i < 10; i++) await seed(h, { expiresInMs: MINUTE + i, service });
      }
      const inFlight = new Map<string, number>();
      const max = new Map<string, number>();
      let total = 0;
      let maxTotal = 0;
      const serviceOf = new Map<string, string>();
      for (const item of await h.store.monitor.listDueForRefresh(new Date(h.clock.now + HOUR), null, 100)) {
        serviceOf.set(item.instanceId, item.serviceName);
      }
      const tokens = fakeTokens(h, async (id) => {
        const service = serviceOf.get(id) ?? '?';
        inFlight.set(service, (inFlight.get(service) ?? 0) + 1);
        max.set(service, Math.max(max.get(service) ?? 0, inFlight.get(service) ?? 0));
        total += 1;
        maxTotal = Math.max(maxTotal, total);
        // Yield to the event loop so every refresh the monitor allows is in flight together.
        await new Promise<void>((resolve) => setImmediate(resolve));
        inFlight.set(service, (inFlight.get(service) ?? 1) - 1);
        total -= 1;
      });
      const summary = await monitor({ tokens, concurrencyPerProvider: 3 }).sweep();
      expect(summary.refreshed).toBe(20);
      expect(Object.fromEntries(max)).toEqual({ svc_a: 3, svc_b: 3 });
      expect(maxTotal).toBe(6);
    });

    it('pages through 450 due credentials with pageSize 100, each refreshed once', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 450; i++)
        ids.add(await seed(h, { expiresInMs: MINUTE + (i % 7) * 1_000, service: i % 2 ? 'svc_a' : 'svc_b' }));
      let pages = 0;
      const counting: Store = {
        ...h.store,
        monitor: {
          ...h.store.monitor,
          listDueForRefresh: (before, after, limit) => {
            pages += 1;
            expect(limit).toBe(100);
            return h.store.monitor.listDueForRefresh(before, after, limit);
          },
        },
      };
      // Refreshes that persist nothing: the rows stay due, so only the cursor prevents repeats.
      const tokens = fakeTokens(h, undefined, false);
      const summary = await monitor({ tokens, store: counting, pageSize: 100 }).sweep();
      expect(summary.refreshed).toBe(450);
      expect(tokens.calls).toHaveLength(450);
      expect(new Set(tokens.calls)).toEqual(ids);
      expect(pages).toBe(5);
    });

    it('keeps sweeping when one refresh fails, and logs no secret', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await seed(h, { expiresInMs: MINUTE + i * 1_000 }));
      const lines: string[] = [];
      const tokens = fakeTokens(h, (id) => {
        if (id === ids[1]) throw new RefreshError('REFRESH_TRANSIENT', 'upstream said secret-token-value');
        if (id === ids[3]) throw new Error('secret-token-value in a foreign error');
      });
      const summary = await monitor({
        tokens,
        logger: recordingLogger(lines),
        concurrencyPerProvider: 1,
      }).sweep();
      expect(summary).toMatchObject({ refreshed: 3, failed: 2, skipped: false });
      expect(tokens.calls).toEqual(ids);
      expect(lines.join('\n')).toContain('REFRESH_TRANSIENT');
      expect(lines.join('\n')).not.toContain('secret-token-value');
    });

    it('stops early when the lease passes to another replica mid-sweep', async () => {
      await seed(h, { expiresInMs: MINUTE });
      await seed(h, { expiresInMs: MINUTE + 1 });
      const tokens = fakeTokens(h, async () => {
        if (tokens.calls.length === 1) {
          h.clock.now += 10 * MINUTE;
          expect(
            await h.otherStore.locks.tryLease(
              'expiration-monitor',
              'intruder',
              new Date(h.clock.now),
              MINUTE,
            ),
          ).toBe(true);
        }
      });
      const summary = await monitor({ tokens, pageSize: 1, leaseTtlMs: 5 * MINUTE }).sweep();
      expect(summary).toMatchObject({ leaseLost: true, refreshed: 1 });
    });

    it('start() sweeps on its scheduler without overlap; stop() waits and gives the lease up', async () => {
      await seed(h, { expiresInMs: MINUTE });
      const timers: Array<{ callback: () => void; ms: number; unref: number; cleared: boolean }> = [];
      let scheduled = deferred();
      const scheduler = {
        setTimeout(callback: () => void, ms: number) {
          const timer = { callback, ms, unref: 0, cleared: false };
          const handle = { unref: () => (timer.unref += 1) };
          timers.push(timer);
          scheduled.resolve();
          return Object.assign(handle, { timer });
        },
        clearTimeout(handle: unknown) {
          (handle as { timer: { cleared: boolean } }).timer.cleared = true;
        },
      };
      const entered = deferred();
      const gate = deferred();
      const log: string[] = [];
      const tokens = fakeTokens(h, async () => {
        entered.resolve();
        await gate.promise;
        log.push('refresh-done');
      });
      const m = monitor({ tokens, scheduler, intervalMs: 30_000, owner: 'scheduled' });
      m.start();
      m.start();
      expect(timers).toHaveLength(1);
      expect(timers[0]).toMatchObject({ ms: 0, unref: 1 });
      timers[0]!.callback();
      await entered.promise;
      // While the sweep runs nothing else is scheduled; stop() waits for it.
      expect(timers).toHaveLength(1);
      const stopped = m.stop().then(() => log.push('stopped'));
      gate.resolve();
      await stopped;
      expect(log).toEqual(['refresh-done', 'stopped']);
      expect(timers).toHaveLength(1);
      // The lease was given up: another replica sweeps at once.
      const other = monitor({ tokens: fakeTokens(h), store: h.otherStore, owner: 'other' });
      expect((await other.sweep()).skipped).toBe(false);

      // Restarted, the next sweep is scheduled intervalMs after the previous one finished.
      await other.stop();
      const again = monitor({ tokens: fakeTokens(h), scheduler, intervalMs: 30_000 });
      again.start();
      const first = timers.at(-1)!;
      scheduled = deferred();
      first.callback();
      await scheduled.promise;
      expect(timers).toHaveLength(3);
      expect(timers.at(-1)).toMatchObject({ ms: 30_000, unref: 1 });
      await again.stop();
      expect(timers.at(-1)?.cleared).toBe(true);
    });
  });
}
