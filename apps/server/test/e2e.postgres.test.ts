import { createThrowAwayDatabase, type ThrowAwayDatabase } from '@org/mcp-oauth-testing';
import { describe } from 'vitest';
import { endToEndScenario } from './helpers/e2e-scenario.js';
import { dumpPostgres } from './helpers/table-dump.js';

const baseUrl = process.env.DATABASE_URL;

describe.skipIf(!baseUrl)(
  'end to end on PostgreSQL (server process, fake GitHub, official MCP client)',
  () => {
    let database: ThrowAwayDatabase | undefined;
    endToEndScenario({
      async setup() {
        database = await createThrowAwayDatabase(baseUrl ?? '', 'mcp_e2e_');
        // The process helper adds a random ENCRYPTION_KEYS and ADMIN_TOKEN, both required with DATABASE_URL.
        return { DATABASE_URL: database.url };
      },
      dump: () => {
        if (database === undefined) throw new Error('no database');
        return dumpPostgres(database.url);
      },
      async teardown() {
        await database?.drop();
      },
    });
  },
);
