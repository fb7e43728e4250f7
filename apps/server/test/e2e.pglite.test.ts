import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { endToEndScenario } from './helpers/e2e-scenario.js';
import { dumpPGlite } from './helpers/table-dump.js';

describe('end to end on embedded PGlite (server process, fake GitHub, official MCP client)', () => {
  let dataDir = '';
  endToEndScenario({
    async setup() {
      // Our own DATA_DIR (not the helper's), so it outlives the process and can be dumped after it stops.
      dataDir = await mkdtemp(join(tmpdir(), 'mcp-oauth-e2e-'));
      return { DATA_DIR: dataDir };
    },
    dump: () => dumpPGlite(join(dataDir, 'pglite')),
    async teardown() {
      if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
    },
  });
});
