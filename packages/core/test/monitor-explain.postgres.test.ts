import { createTestPool, createThrowAwayDatabase, type ThrowAwayDatabase } from '@org/mcp-oauth-testing';
import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKyselyStore, type Database, migrateToLatest } from '../src/kysely/index.js';
import type { Store } from '../src/store/ports.js';

const DATABASE_URL = process.env.DATABASE_URL;
const ROWS = 100_000;
const NOW = new Date('2030-01-01T00:00:00.000Z');

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * Seeds 100k instances (90% active, the rest needs_reauth/expired/pending) with credentials spread like a
 * live system: most refreshable and expiring over the next day, some never expiring, a few already expired.
 */
async function seed(db: Kysely<Database>): Promise<void> {
  await sql`insert into mcp_table (name, display_name) values ('svc_a', 'A'), ('svc_b', 'B')`.execute(db);
  await sql`
    insert into mcp_service_table (instance_id, service_name, user_id, status, created_at, updated_at, last_used_at)
    select md5(g::text)::uuid,
           case when g % 2 = 0 then 'svc_a' else 'svc_b' end,
           'user-' || g,
           case when g % 100 < 90 then 'active' when g % 100 < 95 then 'needs_reauth'
                when g % 100 < 98 then 'expired' else 'pending_oauth' end,
           ${NOW}::timestamptz - (g % 1000) * interval '1 hour',
           ${NOW}::timestamptz - (g % 1000) * interval '1 hour',
           ${NOW}::timestamptz - (g % 43200) * interval '1 minute'
    from generate_series(1, ${ROWS}) g`.execute(db);
  await sql`
    insert into mcp_credentials (instance_id, access_token_ciphertext, refresh_token_ciphertext, key_id,
                                 expires_at, last_refresh_at, updated_at)
    select md5(g::text)::uuid, 'ct', case when g % 10 < 8 then 'rt' end, 'k1',
           case when g % 10 < 8 then ${NOW}::timestamptz + (g % 1440) * interval '1 minute'
                when g % 10 = 8 then null
                else ${NOW}::timestamptz + ((g % 200) - 100) * interval '1 day' end,
           ${NOW}::timestamptz - (g % 43200) * interval '1 minute',
           ${NOW}::timestamptz - (g % 43200) * interval '1 minute'
    from generate_series(1, ${ROWS}) g
    where g % 100 < 98`.execute(db);
  await sql`analyze mcp_service_table`.execute(db);
  await sql`analyze mcp_credentials`.execute(db);
}

describe.skipIf(!DATABASE_URL)('monitor queries on 100k instances (PostgreSQL EXPLAIN)', () => {
  let database: ThrowAwayDatabase;
  let db: Kysely<Database>;
  let store: Store;
  const captured: CompiledQuery[] = [];

  beforeAll(async () => {
    database = await createThrowAwayDatabase(DATABASE_URL!);
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: createTestPool(database.url, 2) }),
      log: (event) => {
        if (event.level === 'query') captured.push(event.query);
      },
    });
    await migrateToLatest(db);
    await seed(db);
    store = createKyselyStore(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  /** Runs `call`, then EXPLAINs the statement it sent and returns the plan's nodes. */
  async function planOf(call: () => Promise<unknown>): Promise<PlanNode[]> {
    captured.length = 0;
    await call();
    const query = captured.find((q) => /mcp_credentials/.test(q.sql));
    if (query === undefined) throw new Error('no monitor query captured');
    const { rows } = await db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>({
      ...query,
      sql: `explain (format json) ${query.sql}`,
    });
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (plan === undefined) throw new Error('no plan');
    return nodes(plan);
  }

  function expectNoSeqScan(plan: PlanNode[]): void {
    const scans = plan
      .filter((node) => node['Node Type'] === 'Seq Scan')
      .map((node) => node['Relation Name']);
    expect(scans).toEqual([]);
  }

  it('listDueForRefresh: partial due index, instances by primary key', async () => {
    const before = new Date(NOW.getTime() + 5 * 60_000);
    const first = await planOf(() => store.monitor.listDueForRefresh(before, null, 200));
    expectNoSeqScan(first);
    expect(first.map((n) => n['Index Name'])).toContain('mcp_credentials_refresh_due_idx');
    expect(first.map((n) => n['Index Name'])).toContain('mcp_service_table_pkey');
    const page = await store.monitor.listDueForRefresh(before, null, 200);
    const last = page.at(-1)!;
    const next = await planOf(() =>
      store.monitor.listDueForRefresh(
        before,
        { expiresAt: last.expiresAt!, instanceId: last.instanceId },
        200,
      ),
    );
    expectNoSeqScan(next);
  });

  it('listIdle: the idle expression index and the active last-use index', async () => {
    const day = 24 * 3_600_000;
    // ~0.2% and ~2% idle.
    for (const age of [29.93, 29.3]) {
      const plan = await planOf(() => store.monitor.listIdle(new Date(NOW.getTime() - age * day), null, 200));
      expectNoSeqScan(plan);
      expect(plan.map((n) => n['Index Name'])).toContain('mcp_credentials_idle_idx');
    }
  });

  it('markExpired: partial index of expiring credentials without refresh token', async () => {
    const plan = await planOf(() => store.monitor.markExpired(NOW, 200));
    expectNoSeqScan(plan);
    expect(plan.map((n) => n['Index Name'])).toContain('mcp_credentials_no_refresh_expiry_idx');
  });
});
