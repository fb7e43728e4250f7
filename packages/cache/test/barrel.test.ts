import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** Bare module specifiers imported by `file` and, transitively, by the relative files it imports. */
function bareImports(file: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(file)) return found;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
    const specifier = match[1]!;
    if (specifier.startsWith('.')) {
      for (const nested of bareImports(join(dirname(file), specifier), seen)) found.add(nested);
    } else {
      found.add(specifier);
    }
  }
  return found;
}

describe('built entries', () => {
  it('the root entry never loads the optional Redis peers', () => {
    const imports = bareImports(join(dist, 'index.js'));
    expect([...imports].sort()).toEqual(['@org/mcp-oauth-core', 'keyv', 'lru-cache']);
  });

  it('the redis entry loads them', () => {
    const imports = bareImports(join(dist, 'redis', 'index.js'));
    expect(imports).toContain('@keyv/redis');
    expect(imports).toContain('@redis/client');
  });
});
