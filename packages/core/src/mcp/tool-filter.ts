import type { ProviderDefinition } from '../provider/types.js';
import type { InstanceConfig } from '../store/ports.js';
import type { ToolDefinition } from './tool.js';

/** The provider hooks {@link selectTools} honours. */
export type ScopePolicy = Pick<ProviderDefinition, 'expandScopes' | 'scopeFiltering'>;

/** The toolsets of a tool as a list. */
export function toolsetsOf(tool: Pick<ToolDefinition, 'toolset'>): readonly string[] {
  return typeof tool.toolset === 'string' ? [tool.toolset] : tool.toolset;
}

/**
 * The tools one instance may see: in one of its enabled toolsets (when it names any), read-only only for a
 * read-only instance, and only those whose every scope was granted upstream — after the provider's
 * `expandScopes` (exact comparison without it), and not at all when `scopeFiltering` is `none-when-empty` and
 * the token reports no scopes. Tools not selected are not registered, so calling one fails as an unknown tool.
 */
export function selectTools(
  tools: readonly ToolDefinition[],
  config: Pick<InstanceConfig, 'readOnly' | 'toolsets'>,
  grantedScopes: readonly string[],
  policy: ScopePolicy = {},
): ToolDefinition[] {
  const skipScopes = policy.scopeFiltering === 'none-when-empty' && grantedScopes.length === 0;
  const granted = new Set(policy.expandScopes ? policy.expandScopes(grantedScopes) : grantedScopes);
  const toolsets = config.toolsets === null ? null : new Set(config.toolsets);
  return tools.filter(
    (tool) =>
      (toolsets === null || toolsetsOf(tool).some((toolset) => toolsets.has(toolset))) &&
      (!config.readOnly || tool.readOnly) &&
      (skipScopes || tool.scopes.every((scope) => granted.has(scope))),
  );
}
