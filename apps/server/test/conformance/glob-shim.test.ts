import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

type GlobSync = (pattern: string | string[], options?: { cwd?: string }) => string[];

const root = mkdtempSync(join(tmpdir(), 'glob-shim-'));
mkdirSync(join(root, 'server-ping-1', 'nested'), { recursive: true });
writeFileSync(join(root, 'server-ping-1', 'checks.json'), '[]');
writeFileSync(join(root, 'server-ping-1', 'nested', 'checks.json'), '[]');
writeFileSync(join(root, 'other.json'), '{}');

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('Node 20 fs.globSync shim of the conformance CLI', () => {
  it('globSync matches ** and * segments relative to cwd', async () => {
    const shim: unknown = await import(new URL('./fs-with-glob.mjs', import.meta.url).href);
    const { globSync } = shim as { globSync: GlobSync };
    expect(globSync('**/checks.json', { cwd: root }).sort()).toEqual([
      'server-ping-1/checks.json',
      'server-ping-1/nested/checks.json',
    ]);
    expect(globSync('*.json', { cwd: root })).toEqual(['other.json']);
    expect(globSync('**/*.json', { cwd: join(root, 'missing') })).toEqual([]);
  });

  it('with the shim registered, `import { globSync } from "fs"` works on this Node', () => {
    const shim = fileURLToPath(new URL('./glob-shim.mjs', import.meta.url));
    const output = execFileSync(
      process.execPath,
      [
        '--import',
        shim,
        '--input-type=module',
        '-e',
        `import { globSync } from 'fs'; console.log(JSON.stringify(globSync('**/checks.json', { cwd: ${JSON.stringify(root)} }).sort()));`,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(output)).toEqual(['server-ping-1/checks.json', 'server-ping-1/nested/checks.json']);
  });
});
