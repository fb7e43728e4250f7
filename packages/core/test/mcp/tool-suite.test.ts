import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../../src/mcp/tool.js';
import { toolProblems, toolSuite } from '../../src/mcp/tool-suite.js';

const good = defineTool({
  name: 'list_things',
  title: 'List things',
  description: 'Lists the things of the connected account, newest first.',
  input: z.object({ page: z.number().int().min(1).default(1) }),
  output: z.object({ items: z.array(z.string()) }),
  annotations: { readOnlyHint: true, destructiveHint: false },
  scopes: [],
  readOnly: true,
  toolset: ['things', 'search'],
  handler: async () => ({ structured: { items: [] } }),
});

/** Runs toolSuite with a recording `it`; returns each registered test's name and error (if any). */
async function runSuite(tools: readonly ToolDefinition[]): Promise<Array<[string, string | null]>> {
  const registered: Array<[string, () => void | Promise<void>]> = [];
  toolSuite((name, fn) => registered.push([name, fn]), tools);
  const outcomes: Array<[string, string | null]> = [];
  for (const [name, fn] of registered) {
    try {
      await fn();
      outcomes.push([name, null]);
    } catch (error) {
      outcomes.push([name, (error as Error).message]);
    }
  }
  return outcomes;
}

describe('toolSuite', () => {
  it('passes for conforming tools', async () => {
    const outcomes = await runSuite([good]);
    expect(outcomes).toEqual([
      ['offers at least one tool, with unique names', null],
      ['list_things conforms (metadata, annotations, JSON-Schema-convertible input and output)', null],
    ]);
  });

  it('fails on duplicate names and on an empty list', async () => {
    expect((await runSuite([good, good]))[0]?.[1]).toBe('duplicate tool name list_things');
    expect((await runSuite([]))[0]?.[1]).toBe('no tools');
  });

  it('reports every problem of a tool', () => {
    const bad = {
      ...good,
      name: 'List-Things',
      title: '',
      description: 'short',
      toolset: [],
      readOnly: false,
      annotations: { readOnlyHint: true },
      output: z.object({ when: z.date() }),
    } as unknown as ToolDefinition;
    expect(toolProblems(bad)).toEqual([
      'name must be snake_case, at most 64 characters',
      'title is missing',
      'description must say what the tool does (at least 20 characters)',
      'toolset must be a non-empty name (or a non-empty list of names)',
      'annotations.readOnlyHint must be false (readOnly is false)',
      'a write tool must declare annotations.destructiveHint',
      expect.stringMatching(/^output schema cannot be converted to JSON Schema/),
    ]);
    expect(toolProblems({ ...good, annotations: undefined } as unknown as ToolDefinition)).toEqual([
      'annotations are missing',
    ]);
    expect(toolProblems({ ...good, input: z.string() } as unknown as ToolDefinition)).toEqual([
      'input schema is not a zod object schema',
    ]);
  });
});

describe('toolSuite registered with vitest', () => {
  toolSuite(it, [good]);
});
