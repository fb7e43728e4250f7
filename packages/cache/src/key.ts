import type { CacheKey } from './types.js';

/** The keyv key of an instance's entry: `mcp-oauth:<service>:<instanceId>`. */
export function cacheKeyOf(key: CacheKey): string {
  return `mcp-oauth:${key.serviceName}:${key.instanceId}`;
}
