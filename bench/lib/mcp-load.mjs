/**
 * Client load for bench/tools-call.mjs: N concurrent keep-alive clients (one socket each, node:http) sending
 * JSON-RPC `tools/call` POSTs to a stateless Streamable HTTP endpoint, with a latency sample per call and a
 * check of every answer. Bodies of failed answers are summarised (status, JSON-RPC / tool error text, trimmed);
 * request headers (which carry the API key) are never printed.
 */
import { Agent, request } from 'node:http';
import { percentile } from './report.mjs';

/** One keep-alive socket per client. */
export function createClients(concurrency) {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

/** POSTs `body` to `url`; resolves with `{ status, text }`. */
function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A target: `url` of the MCP endpoint and its extra headers (e.g. `authorization`). `call(id)` sends one
 * `tools/call` of `toolName` and returns `null` when the answer is a successful result whose
 * `structuredContent.login` is `expectedLogin`, else a short reason.
 */
export function toolCaller({ url, headers = {}, agent, toolName, expectedLogin }) {
  const baseHeaders = {
    ...headers,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
  };
  return async function call(id, method = 'tools/call', params = { name: toolName, arguments: {} }) {
    let answer;
    try {
      answer = await post(agent, url, baseHeaders, JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    } catch (error) {
      return { reason: `network: ${error?.code ?? error?.name ?? 'Error'}` };
    }
    let body;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return { reason: `HTTP ${answer.status}, not JSON: ${answer.text.slice(0, 120)}` };
    }
    if (method !== 'tools/call') return { body, status: answer.status };
    if (answer.status !== 200) {
      return { reason: `HTTP ${answer.status}: ${JSON.stringify(body).slice(0, 160)}` };
    }
    if (body.error !== undefined)
      return { reason: `JSON-RPC error ${body.error.code}: ${body.error.message}` };
    if (body.id !== id) return { reason: `answer id ${body.id} for request id ${id}` };
    const result = body.result;
    if (result?.isError) return { reason: `tool error: ${String(result.content?.[0]?.text).slice(0, 160)}` };
    if (result?.structuredContent?.login !== expectedLogin) {
      return { reason: `wrong login ${JSON.stringify(result?.structuredContent?.login)}` };
    }
    if (typeof result.content?.[0]?.text !== 'string') return { reason: 'no text content' };
    return { reason: null };
  };
}

/**
 * Runs `calls` calls of `call` from `concurrency` clients at once (each client awaits its previous call), or
 * until `deadline` (a `performance.now()` value) passes. Returns throughput, latency samples (ms), failures.
 */
export async function runLoad(call, { calls, concurrency, deadline = Number.POSITIVE_INFINITY, idBase = 0 }) {
  const samples = new Float64Array(calls);
  const failures = new Map();
  let failed = 0;
  let next = 0;
  let done = 0;
  const client = async () => {
    for (let i = next++; i < calls && performance.now() < deadline; i = next++) {
      const started = performance.now();
      const { reason } = await call(idBase + i + 1);
      samples[done++] = performance.now() - started;
      if (reason !== null) {
        failed++;
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const ms = performance.now() - started;
  return { calls: done, ms, samples: samples.subarray(0, done), failed, failures };
}

/** Combines rounds: ops/s over the summed wall time, percentiles over all samples, failures summed. */
export function summarise(rounds) {
  const calls = rounds.reduce((sum, round) => sum + round.calls, 0);
  const ms = rounds.reduce((sum, round) => sum + round.ms, 0);
  const all = new Float64Array(calls);
  let offset = 0;
  for (const round of rounds) {
    all.set(round.samples, offset);
    offset += round.samples.length;
  }
  all.sort();
  const failures = new Map();
  for (const round of rounds) {
    for (const [reason, n] of round.failures) failures.set(reason, (failures.get(reason) ?? 0) + n);
  }
  return {
    calls,
    seconds: ms / 1000,
    opsPerSec: calls / (ms / 1000),
    p50Ms: percentile(all, 50),
    p90Ms: percentile(all, 90),
    p99Ms: percentile(all, 99),
    maxMs: all[all.length - 1] ?? Number.NaN,
    failed: rounds.reduce((sum, round) => sum + round.failed, 0),
    failures: Object.fromEntries(failures),
    roundOpsPerSec: rounds.map((round) => round.calls / (round.ms / 1000)),
  };
}
