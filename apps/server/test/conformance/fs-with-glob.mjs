/**
 * The real `node:fs` plus a minimal `globSync(pattern, { cwd })` for Node 20 (see glob-shim.mjs). Supports `*`,
 * `?` and `**` path segments over `readdirSync` — enough for the conformance CLI's `**∕checks.json`. Returns
 * paths relative to `cwd` with `/` separators, like Node 22's `fs.globSync`. Test tooling only.
 */
import fs from 'node:fs';
import path from 'node:path';

export * from 'node:fs';
export default fs;

/**
 * Converts one glob segment to a RegExp.
 * @param {string} segment
 */
function segmentRegExp(segment) {
  const source = segment
    .split('')
    .map((char) => {
      if (char === '*') return '[^/]*';
      if (char === '?') return '[^/]';
      return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Whether the relative path `parts` matches the glob `segments`.
 * @param {string[]} segments
 * @param {string[]} parts
 * @returns {boolean}
 */
function matches(segments, parts) {
  if (segments.length === 0) return parts.length === 0;
  const [head, ...rest] = segments;
  if (head === '**') {
    for (let skip = 0; skip <= parts.length; skip += 1) {
      if (matches(rest, parts.slice(skip))) return true;
    }
    return false;
  }
  return parts.length > 0 && segmentRegExp(head).test(parts[0]) && matches(rest, parts.slice(1));
}

/**
 * Lists every file and directory under `root`, relative, with `/` separators.
 * @param {string} root
 * @param {string} prefix
 * @returns {string[]}
 */
function walk(root, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    out.push(relative);
    if (entry.isDirectory()) out.push(...walk(root, relative));
  }
  return out;
}

/**
 * Minimal `fs.globSync` (string or array pattern, `cwd` option).
 * @param {string | string[]} pattern
 * @param {{ cwd?: string }} [options]
 * @returns {string[]}
 */
export function globSync(pattern, options = {}) {
  const cwd = options.cwd ?? process.cwd();
  const patterns = (Array.isArray(pattern) ? pattern : [pattern]).map((p) => p.split('/').filter(Boolean));
  if (!fs.existsSync(cwd)) return [];
  return walk(cwd).filter((relative) => patterns.some((segments) => matches(segments, relative.split('/'))));
}
