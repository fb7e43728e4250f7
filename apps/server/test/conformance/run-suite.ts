import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One check of a scenario, as the conformance CLI writes it to `checks.json`. */
export interface ConformanceCheck {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  errorMessage?: string;
}

/**
 * Outcome of one server scenario: passed when no check failed — the CLI's own summary rule, under which a
 * scenario that only warns (e.g. `server-sse-multiple-streams` against a stateless server) passes.
 */
export interface ScenarioResult {
  scenario: string;
  passed: boolean;
  /** `id: errorMessage` of each failed check. */
  failures: string[];
  /** `id: errorMessage` of each check that only warned. */
  warnings: string[];
}

/** What {@link runServerScenarios} returns. */
export interface SuiteRun {
  results: ScenarioResult[];
  /** CLI exit code (non-zero whenever a scenario fails; the baseline decides instead). */
  exitCode: number | null;
  /** Tail of the CLI's output, for failure messages. */
  output: string;
}

const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist/index.js');
const SHIM = fileURLToPath(new URL('./glob-shim.mjs', import.meta.url));

async function checksFiles(dir: string): Promise<Array<{ scenario: string; file: string }>> {
  const out: Array<{ scenario: string; file: string }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === 'checks.json') {
      const parent = entry.parentPath;
      out.push({ scenario: parent.slice(dir.length + 1), file: join(parent, entry.name) });
    }
  }
  return out;
}

/** Scenario name from a results folder (`server-ping-2026-…` or `ping`). */
function scenarioOf(folder: string): string {
  return folder
    .replace(/^server-/, '')
    .replace(/-\d{4}-\d{2}-\d{2}T[\d-]+(?:\.\d+)?Z?$/, '')
    .replace(/[\\/].*$/, '');
}

/**
 * Runs the conformance CLI's active server scenarios against `url` (Node 20: with the `fs.globSync` shim),
 * writing results to a temporary folder, and reads every scenario's `checks.json`.
 */
export async function runServerScenarios(url: string, timeoutMs = 120_000): Promise<SuiteRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  try {
    const child = spawn(process.execPath, ['--import', SHIM, CLI, 'server', '--url', url, '-o', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    const results: ScenarioResult[] = [];
    for (const { scenario, file } of await checksFiles(dir)) {
      const checks = JSON.parse(await readFile(file, 'utf8')) as ConformanceCheck[];
      const describe = (status: ConformanceCheck['status']): string[] =>
        checks
          .filter((check) => check.status === status)
          .map((check) => `${check.id}: ${check.errorMessage ?? status.toLowerCase()}`);
      const failures = describe('FAILURE');
      results.push({
        scenario: scenarioOf(scenario),
        passed: failures.length === 0,
        failures,
        warnings: describe('WARNING'),
      });
    }
    results.sort((a, b) => a.scenario.localeCompare(b.scenario));
    return { results, exitCode, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
