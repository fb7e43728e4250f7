import type { ConsumeStateResult, OAuthStateStore } from '../../store/ports.js';
import type { StoreContext } from './context.js';
import { guard } from './driver-errors.js';
import { toStateRecord } from './rows.js';
import { assertLimit, assertUuid } from './validate.js';

/** `mcp_oauth_states` over kysely. */
export function createStateStore({ db }: StoreContext): OAuthStateStore {
  return {
    createState: (state) =>
      guard('states.create', async () => {
        assertUuid(state.instanceId, 'instanceId');
        await db
          .insertInto('mcp_oauth_states')
          .values({
            state_hash: state.stateHash,
            instance_id: state.instanceId,
            service_name: state.serviceName,
            code_verifier_ciphertext: state.codeVerifierCiphertext,
            redirect_uri: state.redirectUri,
            redirect_after: state.redirectAfter,
            created_at: state.createdAt,
            expires_at: state.expiresAt,
            consumed_at: null,
          })
          .execute();
      }),

    consumeState: (stateHash, now) =>
      guard('states.consume', async (): Promise<ConsumeStateResult> => {
        // Single use under concurrency: only the UPDATE that still sees consumed_at IS NULL (after waiting
        // for the row lock of a concurrent winner) returns the row.
        const consumed = await db
          .updateTable('mcp_oauth_states')
          .set({ consumed_at: now })
          .where('state_hash', '=', stateHash)
          .where('consumed_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
        if (consumed !== undefined) return { outcome: 'consumed', state: toStateRecord(consumed) };
        const existing = await db
          .selectFrom('mcp_oauth_states')
          .selectAll()
          .where('state_hash', '=', stateHash)
          .executeTakeFirst();
        return existing === undefined
          ? { outcome: 'unknown' }
          : { outcome: 'already_consumed', state: toStateRecord(existing) };
      }),

    deleteExpiredStates: (before, limit) =>
      guard('states.deleteExpired', async () => {
        assertLimit(limit, 10_000);
        const result = await db
          .deleteFrom('mcp_oauth_states')
          .where('state_hash', 'in', (eb) =>
            eb
              .selectFrom('mcp_oauth_states')
              .select('state_hash')
              .where((w) => w.or([w('expires_at', '<', before), w('consumed_at', '<', before)]))
              .limit(limit),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      }),
  };
}
