/**
 * Benchmark 4 — `tools/call` of `get_me` through the whole reference server versus a bare SDK server.
 *
 * Ours: apps/server/dist/cli.js on PORT 0 (PostgreSQL in a throw-away database when reachable, else embedded
 * PGlite in a temp DATA_DIR; in-process token cache), GitHub pointed at a minimal fake in this process
 * (lib/fake-github.mjs). An instance is connected through the admin API (initiate-oauth → the fake's authorize
 * redirect → GET the callback) and gets an API key; every call then pays API-key auth, the instance lookup,
 * the cached token, a fresh McpServer with the instance's tools, the upstream `GET /user` and the audit record.
 * Bare: lib/bare-mcp-server.mjs — node:http + the SDK's stateless Streamable HTTP transport, one McpServer per
 * request, the same `get_me` against the same fake with a fixed token — once with `StreamableHTTPServerTransport`
 * and once with `WebStandardStreamableHTTPServerTransport`. Each server runs in its own process.
 *
 * Same load for all: `BENCH_TOOLS_CONCURRENCY` (16) keep-alive clients POSTing JSON-RPC `tools/call` without
 * `initialize` (stateless; checked first on every server), `BENCH_TOOLS_WARMUP` (300) warm-up calls, then
 * `BENCH_TOOLS_CALLS` (3,000) measured calls in `BENCH_TOOLS_ROUNDS` (3) rounds whose server order rotates, so
 * a load change on the shared machine hits every server alike. Each round stops at `BENCH_TOOLS_ROUND_SECONDS`
 * (60). Checks: every answer is a successful result with the fake user's login; the fake saw exactly one
 * `GET /user` per measured call and no token grant.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, startBareServer, startReferenceServer } from './lib/child-servers.mjs';
import { createThrowAwayDatabase, databaseUrl, probePostgres, redact } from './lib/env.mjs';
import { FAKE_USER, startFakeGitHub } from './lib/fake-github.mjs';
import { createClients, runLoad, summarise, toolCaller } from './lib/mcp-load.mjs';
import { check, cleanupOnInterrupt, num, printTable, rssMiB, writeResult } from './lib/report.mjs';

const CONCURRENCY = Number(process.env.BENCH_TOOLS_CONCURRENCY ?? 16);
const WARMUP = Number(process.env.BENCH_TOOLS_WARMUP ?? 300);
const CALLS = Number(process.env.BENCH_TOOLS_CALLS ?? 3_000);
const ROUNDS = Number(process.env.BENCH_TOOLS_ROUNDS ?? 3);
const ROUND_SECONDS = Number(process.env.BENCH_TOOLS_ROUND_SECONDS ?? 60);
/** `pglite` forces the embedded database even when PostgreSQL is reachable. */
const FORCE_PGLITE = process.env.BENCH_TOOLS_DATABASE === 'pglite';
/** A directory: every server runs with `--cpu-prof` and writes its profile there (not recorded by run.mjs). */
const CPU_PROF_DIR = process.env.BENCH_TOOLS_CPU_PROF?.trim() || undefined;
const CLIENT = { clientId: 'Ov23benchClient0001', clientSecret: randomBytes(20).toString('hex') };
const BARE_TOKEN = `gho_bare${randomBytes(16).toString('hex')}`;
const REGISTRY = '/api/v1/auth-registry/auth';

async function json(response, expectedStatus, what) {
  const text = await response.text();
  check(response.status === expectedStatus, `${what}: HTTP ${response.status} (expected ${expectedStatus})`);
  return JSON.parse(text);
}

/** Environment of the reference server: nothing inherited that selects services or providers. */
function serverEnv(database, adminToken) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_URL|REDIS_URL|DATA_DIR|PUBLIC_URL|GITHUB_|GOOGLE_|BENCH_|TOOL_RATE_LIMIT_)/.test(name))
      delete env[name];
  }
  return {
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'info',
    ENCRYPTION_KEYS: `bench1:${randomBytes(32).toString('base64')}`,
    ADMIN_TOKEN: adminToken,
    // The limiter stays on (its cost is measured) with a bucket this load never empties.
    TOOL_RATE_LIMIT_BURST: '1000000',
    TOOL_RATE_LIMIT_PER_SECOND: '1000000',
    ...(database.url ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
  };
}

/** initiate-oauth → the fake's authorize redirect → GET the callback → an API key. Returns ids and key. */
async function connectInstance(serverUrl, adminToken) {
  const admin = { authorization: `Bearer ${adminToken}`, accept: 'application/json' };
  const initiated = await json(
    await fetch(`${serverUrl}${REGISTRY}/initiate-oauth/github`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'bench-user' }),
    }),
    201,
    'initiate-oauth',
  );
  const authorize = await fetch(initiated.authorizationUrl, { redirect: 'manual' });
  await authorize.body?.cancel();
  check(authorize.status === 302, `fake authorize: HTTP ${authorize.status}`);
  // The callback URL is on PUBLIC_URL (http://localhost:<port>); send it where the server listens.
  const location = new URL(authorize.headers.get('location'));
  const callback = await json(
    await fetch(new URL(`${location.pathname}${location.search}`, serverUrl), {
      headers: { accept: 'application/json' },
      redirect: 'manual',
    }),
    200,
    'OAuth callback',
  );
  check(callback.status === 'active', `callback: instance is ${callback.status}, expected active`);
  const key = await json(
    await fetch(`${serverUrl}/api/v1/instances/${initiated.instanceId}/api-keys`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    }),
    201,
    'create API key',
  );
  return { instanceId: initiated.instanceId, apiKey: key.apiKey, login: callback.login };
}

/**
 * Opens `count` MCP sessions as a real client does: `initialize` (the answer carries `Mcp-Session-Id`), then
 * `notifications/initialized`. Returns the session ids.
 */
async function openSessions(url, apiKey, count) {
  const headers = {
    authorization: `Bearer ${apiKey}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const ids = [];
  for (let i = 0; i < count; i++) {
    const initialize = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'bench', version: '0' },
        },
      }),
    });
    await initialize.text();
    const sessionId = initialize.headers.get('mcp-session-id');
    check(
      initialize.status === 200 && sessionId !== null,
      `initialize: HTTP ${initialize.status}, no session`,
    );
    const initialized = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    await initialized.text();
    check(initialized.status === 202, `notifications/initialized: HTTP ${initialized.status}`);
    ids.push(sessionId);
  }
  return ids;
}

async function main() {
  const result = { name: 'tools-call', ok: false, concurrency: CONCURRENCY, warmUp: WARMUP, skipped: [] };
  const cleanup = [];
  cleanupOnInterrupt(cleanup);
  try {
    // Database: PostgreSQL when reachable, else embedded PGlite.
    const baseUrl = databaseUrl();
    const probe = FORCE_PGLITE
      ? { ok: false, reason: 'BENCH_TOOLS_DATABASE=pglite' }
      : await probePostgres(baseUrl);
    let database;
    if (probe.ok) {
      const throwAway = await createThrowAwayDatabase(baseUrl);
      cleanup.push(() => throwAway.drop());
      database = { kind: 'postgres', url: throwAway.url };
      console.log(`database: PostgreSQL, throw-away database ${redact(throwAway.url)}`);
    } else {
      const dataDir = mkdtempSync(join(tmpdir(), 'mcp-bench-tools-'));
      cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      database = { kind: 'pglite', dataDir };
      console.log(
        `database: embedded PGlite in a temp DATA_DIR (PostgreSQL at ${redact(baseUrl)}: ${probe.reason})`,
      );
    }
    result.database = database.kind;
    console.log('token cache: in-process (REDIS_URL not passed to the server)');

    const fake = await startFakeGitHub({ client: CLIENT, staticTokens: [BARE_TOKEN] });
    cleanup.push(() => fake.close());
    const adminToken = randomBytes(32).toString('base64url');
    const env = {
      ...serverEnv(database, adminToken),
      GITHUB_URL: fake.origin,
      GITHUB_API_URL: fake.apiUrl,
      GITHUB_CLIENT_ID: CLIENT.clientId,
      GITHUB_CLIENT_SECRET: CLIENT.clientSecret,
    };
    const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR] : [];
    const ours = await startReferenceServer(env, { nodeArgs });
    cleanup.push(() => ours.stop());
    const bareNode = await startBareServer({
      apiUrl: fake.apiUrl,
      token: BARE_TOKEN,
      transport: 'node',
      nodeArgs,
    });
    cleanup.push(() => bareNode.stop());
    const bareWeb = await startBareServer({
      apiUrl: fake.apiUrl,
      token: BARE_TOKEN,
      transport: 'web',
      nodeArgs,
    });
    cleanup.push(() => bareWeb.stop());
    if (CPU_PROF_DIR) {
      console.log(
        `CPU profiles in ${CPU_PROF_DIR} (written on exit, named by pid): ours ${ours.pid}, ` +
          `bare node ${bareNode.pid}, bare web ${bareWeb.pid}`,
      );
    }

    const connected = await connectInstance(ours.url, adminToken);
    check(
      connected.login === FAKE_USER.login,
      `connected as ${connected.login}, expected ${FAKE_USER.login}`,
    );
    const agents = [];
    const target = (label, server, url, headers) => {
      const agent = createClients(CONCURRENCY);
      agents.push(agent);
      return {
        label,
        server,
        call: toolCaller({ url, headers, agent, toolName: 'get_me', expectedLogin: FAKE_USER.login }),
      };
    };
    cleanup.push(async () => {
      for (const agent of agents) agent.destroy();
    });
    const sessionUrl = `${ours.url}/${connected.instanceId}/mcp`;
    const sessionIds = await openSessions(sessionUrl, connected.apiKey, CONCURRENCY);
    const sessionAgent = createClients(CONCURRENCY);
    agents.push(sessionAgent);
    const sessionCallers = sessionIds.map((sessionId) =>
      toolCaller({
        url: sessionUrl,
        headers: { authorization: `Bearer ${connected.apiKey}`, 'mcp-session-id': sessionId },
        agent: sessionAgent,
        toolName: 'get_me',
        expectedLogin: FAKE_USER.login,
      }),
    );
    const targets = [
      target('bare SDK, StreamableHTTPServerTransport (node)', bareNode, `${bareNode.url}/mcp`, {}),
      target('bare SDK, WebStandardStreamableHTTPServerTransport', bareWeb, `${bareWeb.url}/mcp`, {}),
      target(
        'ours: reference server (API key, instance, cached token, audit)',
        ours,
        `${ours.url}/${connected.instanceId}/mcp`,
        {
          authorization: `Bearer ${connected.apiKey}`,
        },
      ),
      {
        label: 'ours, in MCP sessions (one per client, initialize once)',
        server: ours,
        call: (id, ...rest) => sessionCallers[id % sessionCallers.length](id, ...rest),
      },
    ];

    // Stateless: a tools/call without initialize must be answered by every server.
    for (const { label, call } of targets) {
      const { reason } = await call(0);
      check(reason === null, `${label}: tools/call without initialize failed: ${reason}`);
    }
    const listed = await targets[2].call(0, 'tools/list', {});
    result.toolsListedByOurs = listed.body?.result?.tools?.length ?? null;
    console.log(
      `stateless tools/call without initialize: accepted by all three servers (and in sessions); ours lists ` +
        `${result.toolsListedByOurs} tools for the instance (scopes read:user), the bare server 1`,
    );

    for (const { label, call } of targets) {
      const warm = await runLoad(call, { calls: WARMUP, concurrency: CONCURRENCY });
      check(
        warm.failed === 0,
        `${label}: ${warm.failed} failed warm-up calls: ${JSON.stringify(Object.fromEntries(warm.failures))}`,
      );
    }

    const before = { ...fake.counters };
    const perRound = Math.ceil(CALLS / ROUNDS);
    const rounds = targets.map(() => []);
    /** CPU seconds each server process used during its measured rounds (not the load client's). */
    const cpu = targets.map(() => 0);
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order: every server runs first, in the middle and last once (with 3 rounds).
      for (let k = 0; k < targets.length; k++) {
        const index = (k + round) % targets.length;
        const deadline = performance.now() + ROUND_SECONDS * 1_000;
        const cpuBefore = cpuSeconds(targets[index].server.pid);
        rounds[index].push(
          await runLoad(targets[index].call, {
            calls: perRound,
            concurrency: CONCURRENCY,
            deadline,
            idBase: round * perRound,
          }),
        );
        const cpuAfter = cpuSeconds(targets[index].server.pid);
        cpu[index] = cpuBefore === null || cpuAfter === null ? null : cpu[index] + (cpuAfter - cpuBefore);
      }
    }
    const rows = targets.map((t, i) => ({
      label: t.label,
      ...summarise(rounds[i]),
      cpuMsPerCall: cpu[i] === null ? null : (cpu[i] * 1_000) / rounds[i].reduce((n, r) => n + r.calls, 0),
      rssMiB: rssMiB(t.server.pid),
    }));
    const measured = rows.reduce((sum, row) => sum + row.calls, 0);
    const userCalls = fake.counters.user - before.user;
    const [bare, bareWebRow, oursRow, sessionRow] = rows;
    oursRow.vsBare = oursRow.opsPerSec / bare.opsPerSec;
    sessionRow.vsBare = sessionRow.opsPerSec / bare.opsPerSec;
    sessionRow.vsBareWeb = sessionRow.opsPerSec / bareWebRow.opsPerSec;
    result.ratioInSessions = sessionRow.vsBare;
    oursRow.vsBareWeb = oursRow.opsPerSec / bareWebRow.opsPerSec;
    bareWebRow.vsBare = bareWebRow.opsPerSec / bare.opsPerSec;
    result.rows = rows;
    result.ratio = oursRow.vsBare;
    result.ratioVsWebStandard = oursRow.vsBareWeb;
    result.truncated = rows.some((row) => row.calls < perRound * ROUNDS);
    result.upstream = { userCalls, tokenGrants: fake.counters.tokenGrants - before.tokenGrants };
    result.serverLog = {
      warnings: ours.logs.warnings,
      errors: ours.logs.errors,
      messages: [...ours.logs.messages],
    };

    printTable(
      `tools/call get_me — ${CONCURRENCY} keep-alive clients, ${num(perRound * ROUNDS)} calls per server ` +
        `in ${ROUNDS} rotating rounds after ${WARMUP} warm-up calls; ${database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}`,
      [
        'server',
        'calls',
        'ops/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'ops/s per round',
        '× bare (node)',
        'CPU ms/call',
        'failed',
        'RSS MiB',
      ],
      rows.map((row) => [
        row.label,
        num(row.calls),
        num(row.opsPerSec),
        num(row.p50Ms, 2),
        num(row.p90Ms, 2),
        num(row.p99Ms, 2),
        num(row.maxMs, 1),
        row.roundOpsPerSec.map((ops) => num(ops)).join(' / '),
        row.vsBare === undefined ? '1.00' : num(row.vsBare, 2),
        num(row.cpuMsPerCall, 2),
        String(row.failed),
        num(row.rssMiB, 0),
      ]),
    );
    console.log(
      `\nratio ours / bare throughput: ${num(oursRow.vsBare, 2)}× (StreamableHTTPServerTransport), ` +
        `${num(oursRow.vsBareWeb, 2)}× (web-standard transport) — target ≥ 1.0×; in MCP sessions ` +
        `${num(sessionRow.vsBare, 2)}× / ${num(sessionRow.vsBareWeb, 2)}×`,
    );
    console.log(
      `upstream: ${num(userCalls)} GET /user for ${num(measured)} measured calls, ` +
        `${result.upstream.tokenGrants} token grants; server log: ${ours.logs.warnings} warnings, ${ours.logs.errors} errors`,
    );
    if (result.truncated)
      console.log(`NOTE: a round hit the ${ROUND_SECONDS} s bound; fewer calls were measured`);

    for (const row of rows) {
      check(row.failed === 0, `${row.label}: ${row.failed} failed calls: ${JSON.stringify(row.failures)}`);
    }
    check(userCalls === measured, `the fake saw ${userCalls} GET /user for ${measured} measured calls`);
    check(result.upstream.tokenGrants === 0, `${result.upstream.tokenGrants} token grants while measuring`);
    check(fake.counters.unauthorized === 0, `${fake.counters.unauthorized} unauthorized GET /user`);
    result.ok = true;
  } finally {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
    writeResult(result);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\nFAILED tools-call: ${error.message}`);
    process.exit(1);
  },
);
