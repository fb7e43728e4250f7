import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ToolDefinition } from '@org/mcp-oauth-core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GITHUB_TOOLSETS, githubTools } from '../../src/index.js';

/** The tool surface of github-mcp-server we promise to match (issue 4, ARCHITECTURE.md §7). */
const GITHUB_MCP_SERVER_NAMES = [
  'get_me',
  'search_repositories',
  'get_file_contents',
  'list_branches',
  'list_commits',
  'get_commit',
  'create_branch',
  'create_or_update_file',
  'list_issues',
  'get_issue',
  'search_issues',
  'create_issue',
  'update_issue',
  'add_issue_comment',
  'list_pull_requests',
  'get_pull_request',
  'get_pull_request_files',
  'create_pull_request',
  'merge_pull_request',
  'search_code',
  'search_users',
];

type JsonSchema = Record<string, unknown>;

/** JSON Schemas as the MCP SDK derives them (draft-7; inputs as accepted, outputs as produced). */
function schemasOf(tool: ToolDefinition): { inputSchema: JsonSchema; outputSchema: JsonSchema } {
  return {
    inputSchema: z.toJSONSchema(tool.input, { target: 'draft-7', io: 'input' }) as JsonSchema,
    outputSchema: z.toJSONSchema(tool.output, { target: 'draft-7', io: 'output' }) as JsonSchema,
  };
}

/** Every `string` in an input schema must be bounded (maxLength or enum), every array too (maxItems). */
function unbounded(schema: unknown, path = '$'): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as JsonSchema;
  const out: string[] = [];
  if (s.type === 'string' && s.maxLength === undefined && s.enum === undefined) out.push(path);
  if (s.type === 'array' && s.maxItems === undefined) out.push(path);
  if ((s.type === 'number' || s.type === 'integer') && s.maximum === undefined) out.push(path);
  for (const [key, value] of Object.entries(s.properties ?? {}))
    out.push(...unbounded(value, `${path}.${key}`));
  if (s.items) out.push(...unbounded(s.items, `${path}[]`));
  return out;
}

/** A toolSuite-style conformance check (core's `toolSuite(it, tools)` will replace it). */
describe('GitHub tool conformance', () => {
  it('offers exactly github-mcp-server’s tool names, unique and snake_case', () => {
    const names = githubTools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...GITHUB_MCP_SERVER_NAMES].sort());
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/);
  });

  it.each(githubTools.map((t) => [t.name, t] as const))(
    '%s: metadata, annotations and bounded schemas',
    (_name, tool) => {
      expect(tool.title.length).toBeGreaterThan(3);
      expect(tool.description.length).toBeGreaterThanOrEqual(80);
      expect(GITHUB_TOOLSETS).toContain(tool.toolset);
      const { annotations } = tool;
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof annotations[hint], hint).toBe('boolean');
      }
      expect(annotations.title).toBe(tool.title);
      expect(annotations.readOnlyHint).toBe(tool.readOnly);
      if (tool.readOnly) expect(annotations.destructiveHint).toBe(false);
      if (!tool.readOnly) expect(tool.scopes).toEqual(['repo']);
      const { inputSchema, outputSchema } = schemasOf(tool);
      expect(inputSchema.type).toBe('object');
      expect(outputSchema.type).toBe('object');
      expect(unbounded(inputSchema)).toEqual([]);
      const props = (inputSchema.properties ?? {}) as Record<string, JsonSchema>;
      if (props.perPage) expect(props.perPage).toMatchObject({ minimum: 1, maximum: 100, default: 30 });
      if (props.page) expect(props.page).toMatchObject({ minimum: 1, default: 1 });
      if ('nextPage' in ((outputSchema.properties ?? {}) as object)) expect(props.page).toBeDefined();
    },
  );
});

const SNAPSHOT_DIR = fileURLToPath(new URL('../schemas/', import.meta.url));
const UPDATE = process.env.UPDATE_TOOL_SCHEMAS === '1';

/** Everything a client sees of a tool, as committed in test/schemas/<name>.json. */
function surface(tool: ToolDefinition): JsonSchema {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    toolset: tool.toolset,
    scopes: [...tool.scopes],
    readOnly: tool.readOnly,
    annotations: tool.annotations,
    ...schemasOf(tool),
  };
}

/**
 * Tool schema snapshots: a change of any tool's surface fails until the snapshot is updated on purpose with
 * `UPDATE_TOOL_SCHEMAS=1 pnpm exec vitest run test/tools/conformance.test.ts` (as github-mcp-server guards its
 * tool surface with __toolsnaps__).
 */
describe('tool schema snapshots (test/schemas)', () => {
  it.each(githubTools.map((t) => [t.name, t] as const))('%s matches its committed snapshot', (name, tool) => {
    const file = `${SNAPSHOT_DIR}${name}.json`;
    const current = surface(tool);
    if (UPDATE) writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
    let committed: unknown;
    try {
      committed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new Error(
        `No schema snapshot for ${name}; run with UPDATE_TOOL_SCHEMAS=1 and commit test/schemas/${name}.json`,
      );
    }
    expect(
      current,
      `${name} changed; if intended, run with UPDATE_TOOL_SCHEMAS=1 and commit the snapshot`,
    ).toEqual(committed);
  });

  it('has no snapshot for a tool that no longer exists', () => {
    const names = new Set(githubTools.map((t) => `${t.name}.json`));
    expect(readdirSync(SNAPSHOT_DIR).filter((f) => f.endsWith('.json') && !names.has(f))).toEqual([]);
  });
});
