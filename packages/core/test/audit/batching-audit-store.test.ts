import { describe, expect, it } from 'vitest';
import { createBatchingAuditStore } from '../../src/audit/batching-audit-store.js';
import { ConfigError } from '../../src/errors/index.js';
import type { AuditEvent, AuditStore } from '../../src/store/ports.js';
import type { Logger } from '../../src/util/types.js';

/** An audit store whose writes wait until the test opens them, recording each write's batch. */
function gatedStore(options: { batches?: boolean; failWrites?: number[] } = {}) {
  const writes: string[][] = [];
  const gates: Array<() => void> = [];
  const write = async (events: readonly AuditEvent[]) => {
    const index = writes.length;
    writes.push(events.map((event) => event.event));
    await new Promise<void>((resolve) => gates.push(resolve));
    if (options.failWrites?.includes(index)) throw new Error('database is down');
  };
  const store: AuditStore = {
    appendAudit: (event) => write([event]),
    ...(options.batches === false ? {} : { appendAudits: write }),
    listAudit: async () => [],
  };
  /** Lets the oldest waiting write finish, then lets queued work start. */
  const release = async () => {
    gates.shift()?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { store, writes, release };
}

const event = (name: string): AuditEvent => ({
  at: new Date(0),
  instanceId: null,
  actor: 'api_key:k',
  event: name,
  outcome: 'success',
  requestId: null,
  details: {},
});

describe('createBatchingAuditStore', () => {
  it('writes a record at once when idle, and what arrived meanwhile in one later write', async () => {
    const { store, writes, release } = gatedStore();
    const audit = createBatchingAuditStore(store);
    const first = audit.appendAudit(event('a'));
    const rest = ['b', 'c', 'd'].map((name) => audit.appendAudit(event(name)));
    expect(writes).toEqual([['a']]);
    expect(audit.pending()).toBe(4);
    await release();
    await first;
    expect(writes).toEqual([['a'], ['b', 'c', 'd']]);
    await release();
    await Promise.all(rest);
    expect(audit.pending()).toBe(0);
  });

  it('splits a backlog into writes of at most maxBatch records', async () => {
    const { store, writes, release } = gatedStore();
    const audit = createBatchingAuditStore(store, { maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((name) => audit.appendAudit(event(name)));
    for (let i = 0; i < 3; i++) await release();
    await Promise.all(all);
    expect(writes).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('rejects exactly the records of a failed write and keeps writing later ones', async () => {
    const { store, writes, release } = gatedStore({ failWrites: [1] });
    const audit = createBatchingAuditStore(store);
    const a = audit.appendAudit(event('a'));
    const b = audit.appendAudit(event('b'));
    const c = audit.appendAudit(event('c'));
    await release();
    await release();
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow('database is down');
    await expect(c).rejects.toThrow('database is down');
    const d = audit.appendAudit(event('d'));
    await release();
    await expect(d).resolves.toBeUndefined();
    expect(writes).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('refuses records beyond maxQueued with STORE_UNAVAILABLE and reports the count once drained', async () => {
    const { store, release } = gatedStore();
    const warnings: Array<Record<string, unknown>> = [];
    const logger = { warn: (fields: Record<string, unknown>) => warnings.push(fields) } as unknown as Logger;
    const audit = createBatchingAuditStore(store, { maxQueued: 2, logger });
    const accepted = ['a', 'b', 'c'].map((name) => audit.appendAudit(event(name)));
    const refused = audit.appendAudit(event('d'));
    await expect(refused).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_UNAVAILABLE' });
    await release();
    await release();
    await Promise.all(accepted);
    await audit.drain();
    expect(warnings).toEqual([{ maxQueued: 2 }, { refused: 1, maxQueued: 2 }]);
  });

  it('appends one by one through a store without appendAudits', async () => {
    const { store, writes, release } = gatedStore({ batches: false });
    const audit = createBatchingAuditStore(store);
    const all = ['a', 'b', 'c'].map((name) => audit.appendAudit(event(name)));
    for (let i = 0; i < 3; i++) await release();
    await Promise.all(all);
    expect(writes).toEqual([['a'], ['b'], ['c']]);
  });

  it('drain() resolves once every record appended so far is written', async () => {
    const { store, release } = gatedStore();
    const audit = createBatchingAuditStore(store);
    void audit.appendAudit(event('a'));
    void audit.appendAudit(event('b'));
    let drained = false;
    const draining = audit.drain().then(() => {
      drained = true;
    });
    await release();
    expect(drained).toBe(false);
    await release();
    await draining;
    expect(audit.pending()).toBe(0);
  });

  it.each([{ maxBatch: 0 }, { maxQueued: -1 }, { maxBatch: 1.5 }])(
    'rejects %o with a ConfigError',
    (options) => {
      expect(() => createBatchingAuditStore(gatedStore().store, options)).toThrow(ConfigError);
    },
  );
});
