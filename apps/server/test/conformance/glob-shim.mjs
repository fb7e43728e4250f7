/**
 * Node 20 loader shim for the `@modelcontextprotocol/conformance` CLI, which imports `globSync` from `fs`
 * (added in Node 22). Register it with `node --import ./glob-shim.mjs …`: on a Node whose `fs` lacks `globSync`
 * it redirects `fs` / `node:fs` imports to {@link ./fs-with-glob.mjs} (the real `fs` plus a small `globSync`).
 * On Node 22+ it does nothing. Test tooling only.
 */
import fs from 'node:fs';
import { register } from 'node:module';

if (typeof fs.globSync !== 'function') {
  register('./glob-hooks.mjs', import.meta.url);
}
