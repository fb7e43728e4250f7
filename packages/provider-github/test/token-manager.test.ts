import { startTokenHarness } from './token-harness.js';
import { tokenManagerSuite } from './token-manager-suite.js';

tokenManagerSuite('PGlite', () => startTokenHarness());
