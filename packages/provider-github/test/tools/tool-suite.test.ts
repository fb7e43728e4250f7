import { toolSuite } from '@org/mcp-oauth-core';
import { describe, it } from 'vitest';
import { github } from '../../src/index.js';

describe("core's toolSuite conformance on the GitHub toolset", () => {
  toolSuite(it, github().tools ?? []);
});
