import type { InstanceConfig } from '../store/ports.js';
import type { ScopePolicy } from './tool-filter.js';

/** What {@link selectReadable} looks at: optional scopes and toolsets. */
export interface Filterable {
  scopes?: readonly string[];
  toolset?: string | readonly string[];
}

/**
 * The resources, resource templates or prompts one instance may see: those whose every scope was granted
 * (after the provider's `expandScopes`; not filtered when `scopeFiltering` is `none-when-empty` and the token
 * reports no scopes) and, when the instance enables toolsets and the item names some, in one of them. They are
 * read-only, so a read-only instance sees them all. Same rules as `selectTools`.
 */
export function selectReadable<T extends Filterable>(
  items: readonly T[],
  config: Pick<InstanceConfig, 'toolsets'>,
  grantedScopes: readonly string[],
  policy: ScopePolicy = {},
): T[] {
  const skipScopes = policy.scopeFiltering === 'none-when-empty' && grantedScopes.length === 0;
  const granted = new Set(policy.expandScopes ? policy.expandScopes(grantedScopes) : grantedScopes);
  const toolsets = config.toolsets === null ? null : new Set(config.toolsets);
  return items.filter((item) => {
    const itemToolsets = item.toolset === undefined ? [] : [item.toolset].flat();
    return (
      (toolsets === null || itemToolsets.length === 0 || itemToolsets.some((name) => toolsets.has(name))) &&
      (skipScopes || (item.scopes ?? []).every((scope) => granted.has(scope)))
    );
  });
}
