/**
 * Measuring and printing: latency percentiles, throughput loops, aligned tables, RSS, and the result file
 * each benchmark hands back to bench/run.mjs.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * Throughput of `fn(i)` for `calls` calls: one caller awaiting each call, and `concurrency` callers at once.
 * No timer inside the loop, so the numbers are not skewed by the clock.
 */
export async function throughput(fn, calls, concurrency = 1) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < calls; i = next++) await fn(i);
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ns = Number(process.hrtime.bigint() - started);
  return { calls, concurrency, opsPerSec: calls / (ns / 1e9), totalMs: ns / 1e6 };
}

/** Latency of every one of `calls` sequential calls (hrtime around each, ~50 ns of it included). */
export async function latencies(fn, calls) {
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = process.hrtime.bigint();
    await fn(i);
    samples[i] = Number(process.hrtime.bigint() - started);
  }
  samples.sort();
  const us = (ns) => ns / 1e3;
  return {
    calls,
    p50Us: us(percentile(samples, 50)),
    p90Us: us(percentile(samples, 90)),
    p99Us: us(percentile(samples, 99)),
    maxUs: us(samples[samples.length - 1]),
  };
}

/** Milliseconds since `startedNs` (a `process.hrtime.bigint()`). */
export function msSince(startedNs) {
  return Number(process.hrtime.bigint() - startedNs) / 1e6;
}

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Formats a number for a table: thousands separators, `digits` decimals. */
export function num(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints rows (arrays of strings) under `headers`, right-aligning every column but the first (unless `leftAligned`). */
export function printTable(title, headers, rows, { leftAligned = false } = {}) {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => String(row[column]).length)),
  );
  const line = (cells) =>
    cells
      .map((cell, column) =>
        column === 0 || leftAligned
          ? String(cell).padEnd(widths[column])
          : String(cell).padStart(widths[column]),
      )
      .join('  ');
  console.log(`\n${title}`);
  console.log(line(headers).trimEnd());
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row).trimEnd());
}

/** Resident set size of a process in MiB, from /proc/<pid>/status (`VmRSS`); `null` where unavailable. */
export function rssMiB(pid = process.pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return pid === process.pid ? process.memoryUsage().rss / 1024 / 1024 : null;
  }
}

/** Writes this benchmark's result where bench/run.mjs collects it (`BENCH_RESULT_FILE`). */
export function writeResult(result) {
  const file = process.env.BENCH_RESULT_FILE;
  if (file) writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

/** Thrown (and reported as FAILED) when a benchmark's invariant does not hold. */
export class BenchmarkFailure extends Error {
  name = 'BenchmarkFailure';
}

/** @throws BenchmarkFailure with `message` unless `condition`. */
export function check(condition, message) {
  if (!condition) throw new BenchmarkFailure(message);
}

/**
 * Runs `cleanup` (closers, last first) on SIGINT/SIGTERM before exiting, so an interrupted run still drops its
 * throw-away database and Redis keys. The caller's `finally` takes what is left with `cleanup.splice(0)`.
 */
export function cleanupOnInterrupt(cleanup) {
  let cleaning = false;
  const handler = async (signal) => {
    // A Ctrl-C reaches us twice (from the terminal and forwarded by bench/run.mjs): clean up once.
    if (cleaning) return;
    cleaning = true;
    console.error(`\n${signal}: cleaning up`);
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
