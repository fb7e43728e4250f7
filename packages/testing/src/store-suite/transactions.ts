import { describe, expect, it } from 'vitest';
import { credentialWrite, expectStoreError, newInstance, type SuiteContext } from './fixtures.js';

/** `Store.transaction` and `Store.ping`. */
export function defineTransactionTests(ctx: SuiteContext): void {
  const store = () => ctx.harness().store;

  describe('transactions', () => {
    it('commits every write of the callback and returns its value', async () => {
      const input = newInstance(ctx.serviceA);
      const result = await store().transaction(async (tx) => {
        await tx.instances.createInstance(input);
        await tx.credentials.saveCredential(credentialWrite(input.instanceId), null);
        expect(await tx.instances.getInstance(input.instanceId)).not.toBeNull();
        return 'done';
      });
      expect(result).toBe('done');
      expect(await store().instances.getInstance(input.instanceId)).not.toBeNull();
      expect(await store().credentials.getCredential(input.instanceId)).not.toBeNull();
    });

    it('rolls back on a thrown error and rethrows that very error', async () => {
      const input = newInstance(ctx.serviceA);
      const boom = new Error('callback failed');
      const outcome = await store()
        .transaction(async (tx) => {
          await tx.instances.createInstance(input);
          await tx.credentials.saveCredential(credentialWrite(input.instanceId), null);
          throw boom;
        })
        .catch((error: unknown) => error);
      expect(outcome).toBe(boom);
      expect(await store().instances.getInstance(input.instanceId)).toBeNull();
      expect(await store().credentials.getCredential(input.instanceId)).toBeNull();
    });

    it('joins the outer transaction when nested', async () => {
      const outer = newInstance(ctx.serviceA);
      const inner = newInstance(ctx.serviceA);
      const outcome = await store()
        .transaction(async (tx) => {
          await tx.instances.createInstance(outer);
          await tx.transaction(async (nested) => {
            await nested.instances.createInstance(inner);
          });
          expect(await tx.instances.getInstance(inner.instanceId)).not.toBeNull();
          throw new Error('roll back both');
        })
        .catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(Error);
      expect(await store().instances.getInstance(outer.instanceId)).toBeNull();
      expect(await store().instances.getInstance(inner.instanceId)).toBeNull();
    });

    it('survives a version conflict inside the transaction and still commits', async () => {
      const input = newInstance(ctx.serviceA);
      await store().instances.createInstance(input);
      await store().credentials.saveCredential(credentialWrite(input.instanceId), null);
      const saved = await store().transaction(async (tx) => {
        await expectStoreError(
          tx.credentials.saveCredential(credentialWrite(input.instanceId), 9),
          'STORE_CONFLICT',
        );
        const current = await tx.credentials.getCredential(input.instanceId);
        return tx.credentials.saveCredential(credentialWrite(input.instanceId), current?.version ?? null);
      });
      expect(saved.version).toBe(2);
      expect(await store().credentials.getCredential(input.instanceId)).toEqual(saved);
    });

    it('runs concurrent transactions to completion, each seeing its own writes', async () => {
      const inputs = Array.from({ length: 5 }, () => newInstance(ctx.serviceB));
      const results = await Promise.all(
        inputs.map((input) =>
          store().transaction(async (tx) => {
            await tx.instances.createInstance(input);
            const saved = await tx.credentials.saveCredential(credentialWrite(input.instanceId), null);
            const read = await tx.credentials.getCredential(input.instanceId);
            return read?.accessTokenCiphertext === saved.accessTokenCiphertext;
          }),
        ),
      );
      expect(results).toEqual([true, true, true, true, true]);
      for (const input of inputs)
        expect(await store().credentials.getCredential(input.instanceId)).not.toBeNull();
    });
  });

  describe('ping', () => {
    it('answers when the database is reachable, also inside a transaction', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
      await expect(store().transaction((tx) => tx.ping())).resolves.toBeUndefined();
    });
  });
}
