import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** What every port implementation needs: the (possibly transaction-bound) database and the clock. */
export interface StoreContext {
  db: Kysely<Database>;
  /** Current time for `created_at` / `updated_at` (millisecond precision, so keyset cursors round-trip). */
  now(): Date;
}
