import type { InstanceConfig } from '../store/ports.js';
import type { ToolDefinition } from './tool.js';

/**
 * The tools one instance may see: in its enabled toolsets (when it names any), read-only only for a read-only
 * instance, and only those whose every scope was granted upstream (scopes compare exactly).
 */
export function selectTools(
  tools: readonly ToolDefinition[],
  config: Pick<InstanceConfig, 'readOnly' | 'toolsets'>,
  grantedScopes: readonly string[],
): ToolDefinition[] {
  const granted = new Set(grantedScopes);
  const toolsets = config.toolsets === null ? null : new Set(config.toolsets);
  return tools.filter(
    (tool) =>
      (toolsets === null || toolsets.has(tool.toolset)) &&
      (!config.readOnly || tool.readOnly) &&
      tool.scopes.every((scope) => granted.has(scope)),
  );
}
