#!/usr/bin/env node
/**
 * Runs the benchmarks, each in a fresh Node process (clean heap, its own RSS), and appends one entry to
 * bench/results.json. `npm run bench` builds first; `node bench/run.mjs [cache-hit] [refresh-storm] [scale] [tools-call]`
 * runs a subset against the current build. Exits 1 when a benchmark failed (an invariant such as "zero
 * database queries on a cache hit" or "exactly one upstream refresh" did not hold, or it crashed); a service
 * that is unreachable only skips the parts that need it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('./', import.meta.url));
const REPO = join(BENCH, '..');
const REGISTER = join(BENCH, 'lib/register.mjs');
const RESULTS = join(BENCH, 'results.json');
const BENCHMARKS = ['cache-hit', 'refresh-storm', 'scale', 'tools-call'];
const BUILT = [
  'packages/core/dist/index.js',
  'packages/core/dist/kysely/index.js',
  'packages/cache/dist/index.js',
  'packages/cache/dist/redis/index.js',
  'packages/provider-github/dist/index.js',
  'apps/server/dist/cli.js',
];

// The same defaults and masking as bench/lib/env.mjs (not imported: this file runs without the resolve hook).
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable URL>';
  }
}

/** The benchmark process running now, to forward a signal to. */
let current;

function runBenchmark(name, resultFile) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', REGISTER, join(BENCH, `${name}.mjs`)], {
      cwd: REPO,
      env: { ...process.env, BENCH_RESULT_FILE: resultFile },
      stdio: 'inherit',
    });
    current = child;
    child.on('error', (error) => resolve({ exitCode: null, seconds: 0, error: error.message }));
    child.on('exit', (code, signal) =>
      resolve({ exitCode: code, signal, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

const LINE_WIDTH = 110;

/**
 * JSON.stringify with 2 spaces, except that arrays of primitives that fit on their line are written inline —
 * the layout biome gives JSON (biome.json, width 110), so `npm run lint` stays clean after a run.
 */
function formatJson(value, indent = '', prefix = '', suffix = '') {
  // Measurements keep three decimals (µs, ms, MiB): enough, and the file stays readable.
  if (typeof value === 'number' && !Number.isInteger(value) && Number.isFinite(value)) {
    return JSON.stringify(Number(value.toFixed(3)));
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) {
      const inline = `[${value.map((item) => formatJson(item ?? null)).join(', ')}]`;
      if (indent.length + prefix.length + inline.length + suffix.length <= LINE_WIDTH) return inline;
    }
    const inner = `${indent}  `;
    if (value.every((item) => typeof item === 'number')) {
      // Numbers that do not fit on one line fill each line up to the width.
      const lines = [];
      for (const text of value.map((item) => formatJson(item))) {
        const last = lines.length - 1;
        if (last >= 0 && lines[last].length + 2 + text.length + 1 <= LINE_WIDTH) lines[last] += `, ${text}`;
        else lines.push(inner + text);
      }
      return `[\n${lines.join(',\n')}\n${indent}]`;
    }
    const items = value.map((item, index) =>
      formatJson(item ?? null, inner, '', index < value.length - 1 ? ',' : ''),
    );
    return `[\n${items.map((item) => inner + item).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(([key, item], index) => {
      const head = `${JSON.stringify(key)}: `;
      return `${inner}${head}${formatJson(item, inner, head, index < entries.length - 1 ? ',' : '')}`;
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

async function main() {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !BENCHMARKS.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')} (choose from ${BENCHMARKS.join(', ')})`);
    return 2;
  }
  const missing = BUILT.filter((file) => !existsSync(join(REPO, file)));
  if (missing.length > 0) {
    console.error(
      `not built: ${missing.join(', ')} — run \`npm run bench\` (builds first) or \`npm run build\``,
    );
    return 2;
  }
  const selected = requested.length > 0 ? requested : BENCHMARKS;
  const cpuList = cpus();
  const entry = {
    timestamp: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model?.trim() ?? 'unknown',
    databaseUrl: redact(process.env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL),
    redisUrl: redact(process.env.REDIS_URL?.trim() || DEFAULT_REDIS_URL),
    totalSeconds: 0,
    benchmarks: {},
  };
  console.log(
    `mcp-oauth benchmarks — Node ${entry.node}, ${entry.cpus} × ${entry.cpuModel}, ${entry.platform}\n` +
      `PostgreSQL ${entry.databaseUrl} · Redis ${entry.redisUrl}`,
  );
  // Ctrl-C reaches the running benchmark too (same process group); it cleans up and exits. Stop after it
  // and record nothing.
  let interrupted = false;
  const onSignal = (signal) => {
    interrupted = true;
    current?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const scratch = mkdtempSync(join(tmpdir(), 'mcp-bench-results-'));
  const started = performance.now();
  const failed = [];
  try {
    for (const name of selected) {
      console.log(`\n=== ${name} ${'='.repeat(Math.max(0, 70 - name.length))}`);
      const resultFile = join(scratch, `${name}.json`);
      const run = await runBenchmark(name, resultFile);
      if (interrupted) break;
      const result = readJson(resultFile, { name, ok: false });
      const ok = run.exitCode === 0 && result.ok === true;
      if (!ok) failed.push(name);
      entry.benchmarks[name] = { ...result, ok, exitCode: run.exitCode, seconds: run.seconds };
      console.log(
        `--- ${name}: ${ok ? 'OK' : 'FAILED'} in ${run.seconds.toFixed(1)} s` +
          `${result.skipped?.length ? ` (${result.skipped.length} part(s) skipped)` : ''}`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (interrupted) {
    console.error('\ninterrupted — nothing recorded');
    return 130;
  }
  entry.totalSeconds = (performance.now() - started) / 1000;
  const history = readJson(RESULTS, []);
  writeFileSync(RESULTS, `${formatJson([...(Array.isArray(history) ? history : []), entry])}\n`);
  console.log(
    `\n${failed.length === 0 ? 'all benchmarks passed' : `FAILED: ${failed.join(', ')}`} — ` +
      `${entry.totalSeconds.toFixed(1)} s; results appended to bench/results.json`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
