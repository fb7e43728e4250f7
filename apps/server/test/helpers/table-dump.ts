import { PGlite } from '@electric-sql/pglite';
import { ALL_TABLES, type StoreTable } from '@org/mcp-oauth-testing';
import pg from 'pg';
import { expect } from 'vitest';

/** Every row of every table as JSON text (`row_to_json`), plus the tables that exist in `public`. */
export interface TableDump {
  rows: Record<StoreTable, string[]>;
  tables: string[];
}

type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

async function dumpWith(query: Query): Promise<TableDump> {
  const tables = (
    await query(
      "select table_name::text as name from information_schema.tables where table_schema = 'public'",
    )
  ).map((row) => String(row.name));
  const rows = {} as Record<StoreTable, string[]>;
  for (const table of ALL_TABLES) {
    // Table names come from the shared constant, never from input.
    rows[table] = (await query(`select row_to_json(t)::text as row from ${table} t`)).map((row) =>
      String(row.row),
    );
  }
  return { rows, tables };
}

/** Dumps an embedded database directory (`${DATA_DIR}/pglite`). The server using it must be stopped first. */
export async function dumpPGlite(directory: string): Promise<TableDump> {
  const db = new PGlite(directory);
  try {
    await db.waitReady;
    return await dumpWith(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
  } finally {
    await db.close();
  }
}

/** Dumps a PostgreSQL database. */
export async function dumpPostgres(databaseUrl: string): Promise<TableDump> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await dumpWith(async (sql) => (await client.query<Record<string, unknown>>(sql)).rows);
  } finally {
    await client.end();
  }
}

/** The rows of `table` parsed back into objects. */
export function rowsOf(dump: TableDump, table: StoreTable): Array<Record<string, unknown>> {
  return dump.rows[table].map((row) => JSON.parse(row) as Record<string, unknown>);
}

/** The forms in which a leaked secret would be recognisable: as is, without a `xxx_` prefix, base64. */
function formsOf(secret: string): string[] {
  const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
  const unprefixed = /^[a-z]{2,5}_(.{16,})$/.exec(secret)?.[1];
  if (unprefixed !== undefined) forms.push(unprefixed);
  return forms;
}

/** The text of every table of a dump, by table name (a source for {@link expectNoSecrets}). */
export function dumpTexts(dump: TableDump): Record<string, string> {
  return Object.fromEntries(ALL_TABLES.map((table) => [table, dump.rows[table].join('\n')]));
}

/**
 * Asserts that no named secret appears in any source text (table dumps, process output). Failure messages name
 * the secret's label and the source, never the secret.
 */
export function expectNoSecrets(
  sources: Record<string, string>,
  secrets: Record<string, readonly string[]>,
): void {
  const leaks: string[] = [];
  let checked = 0;
  for (const [label, values] of Object.entries(secrets)) {
    for (const value of values) {
      expect(value.length, `${label} is too short to search for`).toBeGreaterThanOrEqual(8);
      checked += 1;
      for (const [source, text] of Object.entries(sources)) {
        if (formsOf(value).some((form) => text.includes(form))) leaks.push(`${label} in ${source}`);
      }
    }
  }
  expect(leaks).toEqual([]);
  expect(checked).toBeGreaterThan(0);
}

/** Asserts every table of `ALL_TABLES` still exists. */
export function expectAllTables(dump: TableDump): void {
  expect(dump.tables).toEqual(expect.arrayContaining([...ALL_TABLES]));
}
