import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const FORBIDDEN = [
  'express',
  'hono',
  '@hono/node-server',
  'fastify',
  'koa',
  'pg',
  'ioredis',
  'redis',
  '@electric-sql/pglite',
  'kysely',
  'keyv',
  '@keyv/redis',
];

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? jsFiles(join(dir, entry.name))
      : entry.name.endsWith('.js')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('built core root entry (barrel clean)', () => {
  it('bundles for a neutral platform: no node: builtin, framework or driver anywhere in its import graph', async () => {
    const result = await build({
      entryPoints: [join(dist, 'index.js')],
      bundle: true,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['import'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const packages = new Set(
      inputs.flatMap((path) => {
        const match = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
        return match
          ? [match[match.length - 1]?.replace(/^node_modules\//, '').replace(/\/$/, '') ?? '']
          : [];
      }),
    );
    expect(packages.has('@modelcontextprotocol/sdk')).toBe(true);
    for (const name of FORBIDDEN) expect(packages.has(name), name).toBe(false);
  });

  it('core’s own built files never read process.env nor import node: modules', () => {
    const rootFiles = jsFiles(dist).filter((file) => !file.includes(`${join(dist, 'kysely')}`));
    expect(rootFiles.length).toBeGreaterThan(0);
    for (const file of rootFiles) {
      const source = readFileSync(file, 'utf8');
      expect(source, file).not.toMatch(/process\.env/);
      expect(source, file).not.toMatch(/from\s*["']node:/);
    }
  });
});
