import { describe } from 'vitest';
import { startTokenHarness } from './token-harness.js';
import { tokenManagerSuite } from './token-manager-suite.js';

const DATABASE_URL = process.env.DATABASE_URL;

describe.skipIf(!DATABASE_URL)(
  'on PostgreSQL (DATABASE_URL): one pool per replica, advisory refresh lock',
  () => {
    tokenManagerSuite('PostgreSQL', () => startTokenHarness(DATABASE_URL));
  },
);
