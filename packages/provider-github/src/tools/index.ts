import type { ToolDefinition } from '@org/mcp-oauth-core';
import { getMe } from './get-me.js';

/** Every GitHub tool, in listing order. Tools are filtered per instance by scopes, read-only mode and toolsets. */
export const githubTools: readonly ToolDefinition[] = [getMe];
