/**
 * Module resolution hooks of {@link ./glob-shim.mjs}: `fs` and `node:fs` resolve to `fs-with-glob.mjs`, except
 * for that module itself (which re-exports the real `fs`). Test tooling only.
 */
const shimUrl = new URL('./fs-with-glob.mjs', import.meta.url).href;

/**
 * Node `resolve` hook.
 * @param {string} specifier
 * @param {{ parentURL?: string }} context
 * @param {(specifier: string, context: object) => Promise<{ url: string }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  if ((specifier === 'fs' || specifier === 'node:fs') && context.parentURL !== shimUrl) {
    return { url: shimUrl, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
