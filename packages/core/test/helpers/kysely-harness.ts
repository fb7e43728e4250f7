import { ALL_TABLES } from '@org/mcp-oauth-testing';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/kysely/index.js';

/** Every row of every store table as text (one JSON line per table), for "what is stored" assertions. */
export async function dumpAllTables(db: Kysely<Database>): Promise<string> {
  const lines: string[] = [];
  for (const table of ALL_TABLES) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    lines.push(`${table}: ${JSON.stringify(rows)}`);
  }
  return lines.join('\n');
}
