import { describe, expect, it } from 'vitest';
import type { ConsumeStateResult } from '../../../core/src/store/ports.js';
import { expectStoreError, newInstance, type SuiteContext, stateRecord, unique } from './fixtures.js';

/** `OAuthStateStore`: single-use consume under concurrency, expiry clean-up. */
export function defineStateTests(ctx: SuiteContext): void {
  const store = () => ctx.harness().store;
  const instance = async () => (await store().instances.createInstance(newInstance(ctx.serviceA))).instanceId;

  describe('oauth states', () => {
    it('consumes once, then reports already_consumed, and unknown for other hashes', async () => {
      const id = await instance();
      const state = stateRecord(id, ctx.serviceA, { redirectAfter: 'https://app.example/done' });
      await store().states.createState(state);
      const at = new Date('2030-01-01T00:00:01.000Z');
      expect(await store().states.consumeState(state.stateHash, at)).toEqual({
        outcome: 'consumed',
        state: { ...state, consumedAt: at },
      });
      expect(
        await store().states.consumeState(state.stateHash, new Date('2030-01-01T00:00:09.000Z')),
      ).toEqual({
        outcome: 'already_consumed',
        state: { ...state, consumedAt: at },
      });
      expect(await store().states.consumeState(unique('nohash'), at)).toEqual({ outcome: 'unknown' });
    });

    it('keeps a state without PKCE verifier', async () => {
      const id = await instance();
      const state = stateRecord(id, ctx.serviceB, { codeVerifierCiphertext: null });
      await store().states.createState(state);
      const result = await store().states.consumeState(state.stateHash, new Date());
      expect(result).toMatchObject({
        outcome: 'consumed',
        state: { codeVerifierCiphertext: null, serviceName: ctx.serviceB },
      });
    });

    it('gives exactly one of 20 concurrent consumers the state', async () => {
      const id = await instance();
      const state = stateRecord(id, ctx.serviceA);
      await store().states.createState(state);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store().states.consumeState(state.stateHash, new Date(1_900_000_000_000 + i)),
        ),
      );
      const outcomes = results.map((r: ConsumeStateResult) => r.outcome);
      expect(outcomes.filter((o) => o === 'consumed')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already_consumed')).toHaveLength(19);
      const winner = results.find((r) => r.outcome === 'consumed');
      for (const r of results) {
        if (r.outcome !== 'unknown' && winner?.outcome === 'consumed') {
          expect(r.state.consumedAt).toEqual(winner.state.consumedAt);
        }
      }
    });

    it('refuses states of unknown instances and duplicate hashes', async () => {
      const state = stateRecord(crypto.randomUUID(), ctx.serviceA);
      await expectStoreError(store().states.createState(state), 'STORE_NOT_FOUND', [state.stateHash]);
      const id = await instance();
      const first = stateRecord(id, ctx.serviceA);
      await store().states.createState(first);
      await expectStoreError(store().states.createState({ ...first }), 'STORE_DUPLICATE', [first.stateHash]);
    });

    it('deletes expired and long-consumed states in batches', async () => {
      await store().states.deleteExpiredStates(new Date('2200-01-01T00:00:00.000Z'), 10_000);
      const id = await instance();
      const expired = stateRecord(id, ctx.serviceA, { expiresAt: new Date('2000-01-01T00:00:00.000Z') });
      const consumed = stateRecord(id, ctx.serviceA, { expiresAt: new Date('2100-01-01T00:00:00.000Z') });
      const live = stateRecord(id, ctx.serviceA, { expiresAt: new Date('2100-01-01T00:00:00.000Z') });
      for (const s of [expired, consumed, live]) await store().states.createState(s);
      await store().states.consumeState(consumed.stateHash, new Date('2000-06-01T00:00:00.000Z'));
      const cutoff = new Date('2001-01-01T00:00:00.000Z');
      expect(await store().states.deleteExpiredStates(cutoff, 1)).toBe(1);
      expect(await store().states.deleteExpiredStates(cutoff, 100)).toBe(1);
      expect(await store().states.deleteExpiredStates(cutoff, 100)).toBe(0);
      expect((await store().states.consumeState(live.stateHash, new Date())).outcome).toBe('consumed');
      expect((await store().states.consumeState(expired.stateHash, new Date())).outcome).toBe('unknown');
      expect((await store().states.consumeState(consumed.stateHash, new Date())).outcome).toBe('unknown');
    });
  });
}
