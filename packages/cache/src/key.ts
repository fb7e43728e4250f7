import type { CacheKey } from '@org/mcp-oauth-core';

/** Prefix of every key when no `namespace` option is given. */
export const DEFAULT_CACHE_NAMESPACE = 'mcp-oauth';

/** Characters a namespace may use: no glob characters, so a namespace is safe inside a Redis `MATCH`. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_.:/-]{1,100}$/;

/** Percent-encodes a key part (also `*`), so parts never contain `:` or a Redis glob character. */
function encodePart(part: string): string {
  return encodeURIComponent(part).replace(/\*/g, '%2A');
}

/**
 * The store key of an instance's entry: `<namespace>:<service>:<instanceId>`, each part percent-encoded.
 *
 * @example
 * ```ts
 * cacheKeyOf({ serviceName: 'github', instanceId }); // 'mcp-oauth:github:<instanceId>'
 * ```
 */
export function cacheKeyOf(key: CacheKey, namespace: string = DEFAULT_CACHE_NAMESPACE): string {
  return `${namespace}:${encodePart(key.serviceName)}:${encodePart(key.instanceId)}`;
}

/** The prefix every key of `serviceName` starts with (`<namespace>:<service>:`), or of every service. */
export function keyPrefixOf(namespace: string, serviceName?: string): string {
  return serviceName === undefined ? `${namespace}:` : `${namespace}:${encodePart(serviceName)}:`;
}

/** Reverses {@link cacheKeyOf}; `undefined` for keys outside `namespace` or not shaped like a cache key. */
export function parseCacheKey(
  storeKey: string,
  namespace: string = DEFAULT_CACHE_NAMESPACE,
): CacheKey | undefined {
  const prefix = `${namespace}:`;
  if (!storeKey.startsWith(prefix)) return undefined;
  const parts = storeKey.slice(prefix.length).split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  try {
    return { serviceName: decodeURIComponent(parts[0]!), instanceId: decodeURIComponent(parts[1]!) };
  } catch {
    return undefined;
  }
}
