import { describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../src/mcp/tool.js';
import { selectTools, toolsetsOf } from '../../src/mcp/tool-filter.js';

const tool = (name: string, extra: Partial<ToolDefinition>) =>
  ({ name, toolset: 'a', readOnly: true, scopes: [], ...extra }) as ToolDefinition;
const names = (list: ToolDefinition[]) => list.map((t) => t.name);
const full = { readOnly: false, toolsets: null };

const IMPLIED: Record<string, string[]> = { repo: ['public_repo', 'repo:status'], user: ['read:user'] };
const expandScopes = (granted: readonly string[]) => granted.flatMap((s) => [s, ...(IMPLIED[s] ?? [])]);

describe('selectTools with provider scope policy', () => {
  const tools = [
    tool('public', { scopes: ['public_repo'], readOnly: false }),
    tool('profile', { scopes: ['read:user'] }),
    tool('open', {}),
  ];

  it('applies the provider expansion: a parent scope grants its children', () => {
    expect(names(selectTools(tools, full, ['repo'], { expandScopes }))).toEqual(['public', 'open']);
    expect(names(selectTools(tools, full, ['repo', 'user'], { expandScopes }))).toEqual([
      'public',
      'profile',
      'open',
    ]);
    expect(names(selectTools(tools, full, ['repo']))).toEqual(['open']);
  });

  it('none-when-empty skips scope filtering for a token without scopes, but still honours read-only', () => {
    const policy = { expandScopes, scopeFiltering: 'none-when-empty' } as const;
    expect(names(selectTools(tools, full, [], policy))).toEqual(['public', 'profile', 'open']);
    expect(names(selectTools(tools, { readOnly: true, toolsets: null }, [], policy))).toEqual([
      'profile',
      'open',
    ]);
    expect(names(selectTools(tools, full, ['user'], policy))).toEqual(['profile', 'open']);
    expect(names(selectTools(tools, full, [], { scopeFiltering: 'strict' }))).toEqual(['open']);
  });

  it('lists a tool in several toolsets when any of them is enabled', () => {
    const multi = [
      tool('search_issues', { toolset: ['issues', 'search'] }),
      tool('get_me', { toolset: 'context' }),
    ];
    expect(names(selectTools(multi, { readOnly: false, toolsets: ['search'] }, []))).toEqual([
      'search_issues',
    ]);
    expect(names(selectTools(multi, { readOnly: false, toolsets: ['issues', 'context'] }, []))).toEqual([
      'search_issues',
      'get_me',
    ]);
    expect(names(selectTools(multi, { readOnly: false, toolsets: ['repos'] }, []))).toEqual([]);
    expect(toolsetsOf(multi[0] as ToolDefinition)).toEqual(['issues', 'search']);
  });
});
