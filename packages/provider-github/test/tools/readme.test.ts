import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ToolDefinition } from '@org/mcp-oauth-core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { githubResourceTemplates, githubTools } from '../../src/index.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The cells of every Markdown table row whose first cell is a code span, keyed by that span's text. */
function tableRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    const match = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
    const cells = match?.[2]?.split(' | ').map((cell) => cell.trim());
    if (match?.[1] && cells) rows.set(match[1], cells);
  }
  return rows;
}

const code = (values: readonly string[]) =>
  values.length === 0 ? 'none' : values.map((v) => `\`${v}\``).join(', ');
const yesNo = (value: boolean | undefined, specDefault: boolean) => ((value ?? specDefault) ? 'yes' : 'no');

/** The README row a tool's definition implies (annotation defaults as the MCP specification gives them). */
function expectedRow(tool: ToolDefinition): string[] {
  const { readOnlyHint, destructiveHint, idempotentHint, openWorldHint } = tool.annotations;
  const shape = tool.input.shape;
  const { required = [] } = z.toJSONSchema(tool.input, { io: 'input' }) as { required?: string[] };
  const args = Object.keys(shape).map((name) => (required.includes(name) ? `**${name}**` : name));
  return [
    code([tool.toolset].flat()),
    code(tool.scopes),
    yesNo(readOnlyHint, false),
    yesNo(destructiveHint, true),
    yesNo(idempotentHint, false),
    yesNo(openWorldHint, true),
    args.length === 0 ? '—' : args.join(', '),
    'page' in shape ? 'yes' : 'no',
  ];
}

describe('README documents the surface as defined', () => {
  const rows = tableRows(README);

  it('names every tool of githubTools in the tools table', () => {
    const missing = githubTools.map((tool) => tool.name).filter((name) => !rows.has(name));
    expect(missing).toEqual([]);
  });

  it.each(githubTools.map((tool) => [tool.name, tool] as const))(
    '%s: toolset, scopes, annotations, arguments and pagination match the definition',
    (_name, tool) => {
      expect(rows.get(tool.name)).toEqual(expectedRow(tool));
    },
  );

  it('names every resource template with its name, toolset and scopes', () => {
    for (const template of githubResourceTemplates) {
      expect(rows.get(template.uriTemplate)?.slice(0, 3)).toEqual([
        `\`${template.name}\``,
        code([template.toolset ?? []].flat()),
        code(template.scopes ?? []),
      ]);
    }
  });
});
