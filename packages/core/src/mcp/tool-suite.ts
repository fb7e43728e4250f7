import { z } from 'zod';
import type { ToolDefinition } from './tool.js';
import { toolsetsOf } from './tool-filter.js';

/** The test-registration function of the runner (`it` / `test` of vitest, jest or `node:test`). */
export type TestRegistrar = (name: string, fn: () => void | Promise<void>) => unknown;

/** MCP tool names as clients accept them everywhere: snake_case, 1–64 characters. */
const TOOL_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 64;

/** The JSON Schema of `schema` as the MCP SDK would advertise it, or the reason it cannot be converted. */
function jsonSchemaOf(schema: unknown, io: 'input' | 'output'): Record<string, unknown> | string {
  if (!(schema instanceof z.ZodObject)) return 'is not a zod object schema';
  try {
    const json = z.toJSONSchema(schema, { target: 'draft-7', io }) as Record<string, unknown>;
    return json.type === 'object' ? json : `converts to type ${String(json.type)}, not object`;
  } catch (error) {
    return `cannot be converted to JSON Schema (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Problems of one tool's metadata, annotations and schemas (empty when it conforms). */
export function toolProblems(tool: ToolDefinition): string[] {
  const problems: string[] = [];
  if (!TOOL_NAME.test(tool.name) || tool.name.length > MAX_NAME_LENGTH) {
    problems.push('name must be snake_case, at most 64 characters');
  }
  if (typeof tool.title !== 'string' || tool.title.trim() === '') problems.push('title is missing');
  if (typeof tool.description !== 'string' || tool.description.trim().length < 20) {
    problems.push('description must say what the tool does (at least 20 characters)');
  }
  const toolsets = toolsetsOf(tool);
  if (toolsets.length === 0 || toolsets.some((t) => typeof t !== 'string' || t === '')) {
    problems.push('toolset must be a non-empty name (or a non-empty list of names)');
  }
  if (!Array.isArray(tool.scopes) || tool.scopes.some((s) => typeof s !== 'string' || s === '')) {
    problems.push('scopes must be a list of scope names');
  }
  if (typeof tool.handler !== 'function') problems.push('handler is not a function');
  const annotations = tool.annotations as Record<string, unknown> | undefined;
  if (annotations === undefined || annotations === null || typeof annotations !== 'object') {
    problems.push('annotations are missing');
  } else {
    if (annotations.readOnlyHint !== tool.readOnly) {
      problems.push(`annotations.readOnlyHint must be ${tool.readOnly} (readOnly is ${tool.readOnly})`);
    }
    if (!tool.readOnly && typeof annotations.destructiveHint !== 'boolean') {
      problems.push('a write tool must declare annotations.destructiveHint');
    }
    if (tool.readOnly && annotations.destructiveHint === true) {
      problems.push('a read-only tool cannot be destructive');
    }
  }
  for (const [field, io] of [
    ['input', 'input'],
    ['output', 'output'],
  ] as const) {
    const schema = jsonSchemaOf(tool[field], io);
    if (typeof schema === 'string') problems.push(`${field} schema ${schema}`);
  }
  return problems;
}

function fail(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/**
 * Registers conformance tests for a provider's tools with the given test function: names unique, snake_case and
 * at most 64 characters; title and description present; input and output convertible to object JSON Schemas;
 * annotations present with `readOnlyHint` matching `readOnly` (write tools also declare `destructiveHint`);
 * toolsets and scopes well-formed. Runner-agnostic: failures are thrown `Error`s listing every problem.
 *
 * @example
 * ```ts
 * import { toolSuite } from '@org/mcp-oauth-core';
 * import { describe, it } from 'vitest';
 * describe('tool conformance', () => toolSuite(it, github().tools ?? []));
 * ```
 */
export function toolSuite(it: TestRegistrar, tools: readonly ToolDefinition[]): void {
  it('offers at least one tool, with unique names', () => {
    const names = tools.map((tool) => tool.name);
    const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
    fail([
      ...(tools.length === 0 ? ['no tools'] : []),
      ...[...new Set(duplicates)].map((name) => `duplicate tool name ${name}`),
    ]);
  });
  for (const tool of tools) {
    it(`${tool.name} conforms (metadata, annotations, JSON-Schema-convertible input and output)`, () => {
      fail(toolProblems(tool).map((problem) => `${tool.name}: ${problem}`));
    });
  }
}
