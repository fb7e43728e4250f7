/**
 * Module resolution hook for the benchmarks (registered by ./register.mjs).
 *
 * The benchmarks are plain ESM scripts outside the pnpm workspace, so they have no node_modules of their
 * own. Every bare specifier imported from a file under bench/ is resolved as if it were imported from
 * apps/server — the reference host, whose dependencies are exactly what a host needs: the built
 * `@org/mcp-oauth-*` packages (workspace links to packages/{core,cache}/dist through their `exports`), kysely,
 * pg, @electric-sql/pglite and @redis/client. Packages therefore resolve to the very same files (and module
 * instances) as when the server or the packages import them; nothing is copied or symlinked.
 */
const BENCH_DIR = new URL('../', import.meta.url).href;
const SERVER_PACKAGE_JSON = new URL('../../apps/server/package.json', import.meta.url).href;

/** `kysely`, `@org/x/y` — not `./x`, `../x`, `/x`, `node:x`, `file:x`, `data:x`. */
function isBare(specifier) {
  return !/^(?:\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  if (isBare(specifier) && context.parentURL?.startsWith(BENCH_DIR)) {
    return nextResolve(specifier, { ...context, parentURL: SERVER_PACKAGE_JSON });
  }
  return nextResolve(specifier, context);
}
