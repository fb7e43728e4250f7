import { type Kysely, type Migration, sql } from 'kysely';

const INSTANCE_STATUS_CHECK = sql`status in ('pending_oauth', 'active', 'expired', 'needs_reauth', 'failed', 'revoked')`;

/** 0001: every table of ARCHITECTURE.md §2 with the indexes the store, the monitor and the hot path use. */
const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('mcp_table')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('auth_type', 'text', (c) => c.notNull().defaultTo('oauth2'))
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
      .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('registered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addCheckConstraint('mcp_table_status_check', sql`status in ('active', 'disabled')`)
      .execute();

    await db.schema
      .createTable('mcp_service_table')
      .addColumn('instance_id', 'uuid', (c) => c.primaryKey())
      .addColumn('service_name', 'text', (c) =>
        c.notNull().references('mcp_table.name').onUpdate('cascade').onDelete('restrict'),
      )
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('upstream_subject', 'text')
      .addColumn('upstream_login', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('last_used_at', 'timestamptz')
      .addColumn('oauth_completed_at', 'timestamptz')
      .addCheckConstraint('mcp_service_table_status_check', INSTANCE_STATUS_CHECK)
      .execute();
    // Admin listing by service/status, deleteStalePending and monitor scans by status, owner lookups,
    // keyset paging of listInstances.
    await db.schema
      .createIndex('mcp_service_table_service_status_idx')
      .on('mcp_service_table')
      .columns(['service_name', 'status'])
      .execute();
    await db.schema
      .createIndex('mcp_service_table_status_created_idx')
      .on('mcp_service_table')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('mcp_service_table_user_idx')
      .on('mcp_service_table')
      .column('user_id')
      .execute();
    await db.schema
      .createIndex('mcp_service_table_paging_idx')
      .on('mcp_service_table')
      .columns(['created_at', 'instance_id'])
      .execute();

    await db.schema
      .createTable('mcp_credentials')
      .addColumn('instance_id', 'uuid', (c) =>
        c.primaryKey().references('mcp_service_table.instance_id').onDelete('cascade'),
      )
      .addColumn('access_token_ciphertext', 'text', (c) => c.notNull())
      .addColumn('refresh_token_ciphertext', 'text')
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('token_type', 'text', (c) => c.notNull().defaultTo('bearer'))
      .addColumn('granted_scopes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
      .addColumn('expires_at', 'timestamptz')
      .addColumn('refresh_expires_at', 'timestamptz')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('refresh_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_refresh_at', 'timestamptz')
      .addColumn('last_refresh_error', 'text')
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addCheckConstraint('mcp_credentials_version_check', sql`version >= 1`)
      .execute();
    // The expiration monitor: "credentials expiring before t" (joined to instance status).
    await db.schema
      .createIndex('mcp_credentials_expires_idx')
      .on('mcp_credentials')
      .columns(['expires_at', 'instance_id'])
      .where(sql.ref('expires_at'), 'is not', null)
      .execute();
    await db.schema.createIndex('mcp_credentials_key_idx').on('mcp_credentials').column('key_id').execute();

    await db.schema
      .createTable('mcp_oauth_states')
      .addColumn('state_hash', 'text', (c) => c.primaryKey())
      .addColumn('instance_id', 'uuid', (c) =>
        c.notNull().references('mcp_service_table.instance_id').onDelete('cascade'),
      )
      .addColumn('service_name', 'text', (c) => c.notNull())
      .addColumn('code_verifier_ciphertext', 'text')
      .addColumn('redirect_uri', 'text', (c) => c.notNull())
      .addColumn('redirect_after', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
      .addColumn('consumed_at', 'timestamptz')
      .execute();
    await db.schema
      .createIndex('mcp_oauth_states_expires_idx')
      .on('mcp_oauth_states')
      .column('expires_at')
      .execute();
    await db.schema
      .createIndex('mcp_oauth_states_consumed_idx')
      .on('mcp_oauth_states')
      .column('consumed_at')
      .where(sql.ref('consumed_at'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('mcp_oauth_states_instance_idx')
      .on('mcp_oauth_states')
      .column('instance_id')
      .execute();

    await db.schema
      .createTable('mcp_api_keys')
      .addColumn('key_id', 'text', (c) => c.primaryKey())
      .addColumn('instance_id', 'uuid', (c) =>
        c.notNull().references('mcp_service_table.instance_id').onDelete('cascade'),
      )
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('last_used_at', 'timestamptz')
      .execute();
    await db.schema
      .createIndex('mcp_api_keys_instance_idx')
      .on('mcp_api_keys')
      .column('instance_id')
      .execute();

    await db.schema
      .createTable('mcp_audit_log')
      .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .addColumn('instance_id', 'uuid')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addCheckConstraint('mcp_audit_log_outcome_check', sql`outcome in ('success', 'failure')`)
      .execute();
    await db.schema
      .createIndex('mcp_audit_log_instance_at_idx')
      .on('mcp_audit_log')
      .expression(sql`instance_id, at desc, id desc`)
      .execute();
    await db.schema
      .createIndex('mcp_audit_log_at_idx')
      .on('mcp_audit_log')
      .expression(sql`at desc, id desc`)
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'mcp_audit_log',
      'mcp_api_keys',
      'mcp_oauth_states',
      'mcp_credentials',
      'mcp_service_table',
      'mcp_table',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};

/**
 * 0002: the lease table of `LockStore` and the indexes of the expiration monitor's queries, so a sweep walks
 * index ranges (joined by primary key) instead of scanning `mcp_service_table` or `mcp_credentials`.
 */
const monitorAndLeases: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('mcp_leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
      .execute();
    // listDueForRefresh: keyset on (expires_at, instance_id) over credentials that can be refreshed.
    await db.schema
      .createIndex('mcp_credentials_refresh_due_idx')
      .on('mcp_credentials')
      .columns(['expires_at', 'instance_id'])
      .where(sql<boolean>`refresh_token_ciphertext is not null and expires_at is not null`)
      .execute();
    // listIdle: "not refreshed since" (a never-refreshed credential counts from its last write). Not partial:
    // PostgreSQL only uses the statistics of a non-partial expression index to estimate the condition.
    await db.schema
      .createIndex('mcp_credentials_idle_idx')
      .on('mcp_credentials')
      .expression(sql`coalesce(last_refresh_at, updated_at)`)
      .execute();
    // listIdle: "not used since" among active instances (btree keeps NULLs, so `is null` is indexed too).
    await db.schema
      .createIndex('mcp_service_table_active_used_idx')
      .on('mcp_service_table')
      .column('last_used_at')
      .where(sql.ref('status'), '=', 'active')
      .execute();
    // markExpired: expiring credentials that cannot be refreshed.
    await db.schema
      .createIndex('mcp_credentials_no_refresh_expiry_idx')
      .on('mcp_credentials')
      .columns(['expires_at', 'instance_id'])
      .where(sql<boolean>`refresh_token_ciphertext is null and expires_at is not null`)
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const index of [
      'mcp_credentials_no_refresh_expiry_idx',
      'mcp_service_table_active_used_idx',
      'mcp_credentials_idle_idx',
      'mcp_credentials_refresh_due_idx',
    ]) {
      await db.schema.dropIndex(index).ifExists().execute();
    }
    await db.schema.dropTable('mcp_leases').ifExists().execute();
  },
};

/**
 * Every migration of the store, by name (applied in name order). Kept in code, not on disk, so bundlers and
 * read-only file systems need nothing extra.
 */
export function storeMigrations(): Record<string, Migration> {
  return { '0001_initial': initial, '0002_monitor_and_leases': monitorAndLeases };
}
