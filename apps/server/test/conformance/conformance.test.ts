import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceHost, startConformanceHost } from './host.js';
import { runServerScenarios, type SuiteRun } from './run-suite.js';

interface Baseline {
  failing: Record<string, string>;
}

let host: ConformanceHost;
let run: SuiteRun;
let baseline: Baseline;

beforeAll(async () => {
  baseline = JSON.parse(await readFile(new URL('./baseline.json', import.meta.url), 'utf8')) as Baseline;
  host = await startConformanceHost();
  run = await runServerScenarios(host.url);
}, 180_000);

afterAll(async () => {
  await host?.close();
});

describe('@modelcontextprotocol/conformance server scenarios against core’s MCP endpoint', () => {
  it('ran the suite', () => {
    expect(run.results.length, run.output).toBeGreaterThanOrEqual(20);
  });

  it('every scenario not in baseline.json passes', () => {
    const unexpected = run.results
      .filter((result) => !result.passed && baseline.failing[result.scenario] === undefined)
      .map((result) => `${result.scenario}: ${result.failures.join('; ')}`);
    expect(unexpected).toEqual([]);
  });

  it('every scenario in baseline.json still fails (remove the ones that pass) and still exists', () => {
    const byName = new Map(run.results.map((result) => [result.scenario, result]));
    const stale = Object.keys(baseline.failing).filter((scenario) => byName.get(scenario)?.passed !== false);
    expect(stale).toEqual([]);
  });

  it('no scenario only warns (with sessions on, the server-sse-* scenarios get a session id)', () => {
    const warned = run.results
      .filter((result) => result.warnings.length > 0)
      .map((result) => `${result.scenario}: ${result.warnings.join('; ')}`);
    expect(warned).toEqual([]);
  });

  it('DNS-rebinding protection: a foreign Host/Origin is refused, localhost is served', () => {
    expect(run.results.find((result) => result.scenario === 'dns-rebinding-protection')).toMatchObject({
      passed: true,
    });
  });
});
