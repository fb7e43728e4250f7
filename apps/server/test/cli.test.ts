import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createThrowAwayDatabase, type ThrowAwayDatabase } from '@org/mcp-oauth-testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_SECRET_FILES } from '../src/dev-secrets.js';
import { readAll } from './helpers/http-client.js';
import { runCli } from './helpers/run-cli.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

const KEY_OLD = Buffer.alloc(32, 1).toString('base64');
const KEY_NEW = Buffer.alloc(32, 2).toString('base64');

let dataDir: string;
const running: ServerProcess[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mcp-oauth-cli-'));
});

afterEach(async () => {
  for (const server of running.splice(0)) await server.stop('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('mcp-oauth-server CLI', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints usage and exits 0', async (flag) => {
    const result = await runCli([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: mcp-oauth-server');
    expect(result.stdout).toContain('rotate-keys');
  });

  it.each([[['frobnicate']], [['start', 'extra']], [['--port=1']]])(
    '%j prints usage and exits 2',
    async (args) => {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('unknown command');
      expect(result.stderr).toContain('Usage: mcp-oauth-server');
    },
  );

  it('refuses to start with DATABASE_URL but no ENCRYPTION_KEYS/ADMIN_TOKEN (exit 1, secret not echoed)', async () => {
    const result = await runCli(['start'], {
      DATABASE_URL: 'postgres://app:hunter2-db-password@127.0.0.1:1/x',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ENCRYPTION_KEYS is required when DATABASE_URL is set');
    expect(result.stderr).toContain('ADMIN_TOKEN is required when DATABASE_URL is set');
    expect(result.stderr + result.stdout).not.toContain('hunter2-db-password');
  });

  it('start exits 1 with a logged reason when the port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const result = await runCli(['start'], { DATA_DIR: dataDir, PORT: String(port) });
      expect(result.code).toBe(1);
      const failure = jsonLines(result.stdout).find((line) => line.msg === 'start failed');
      expect(failure).toMatchObject({ err: { code: 'EADDRINUSE' } });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('migrate creates the embedded database in DATA_DIR, is idempotent, and generates no secrets', async () => {
    const first = await runCli(['migrate'], { DATA_DIR: dataDir });
    expect(first.code, first.stderr).toBe(0);
    expect(jsonLines(first.stdout).find((line) => line.msg === 'database migrations applied')).toBeDefined();
    expect((await stat(join(dataDir, 'pglite'))).isDirectory()).toBe(true);
    expect(existsSync(join(dataDir, DEV_SECRET_FILES.adminToken))).toBe(false);
    const second = await runCli(['migrate'], { DATA_DIR: dataDir });
    expect(second.code, second.stderr).toBe(0);
  });

  it('rotate-keys reports how many rows it re-encrypted', async () => {
    const result = await runCli(['rotate-keys'], {
      DATA_DIR: dataDir,
      ENCRYPTION_KEYS: `new:${KEY_NEW},old:${KEY_OLD}`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('re-encrypted 0 rows under key "new"');
    expect(result.stdout).not.toContain(KEY_NEW);
  });

  it('start generates dev secrets (0600), names the files in the log and never prints the secrets', async () => {
    const server = await startServerProcess({ env: { DATA_DIR: dataDir, ADMIN_TOKEN: undefined } });
    running.push(server);
    const tokenFile = join(dataDir, DEV_SECRET_FILES.adminToken);
    const keyFile = join(dataDir, DEV_SECRET_FILES.encryptionKeys);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    const key = (await readFile(keyFile, 'utf8')).trim().split(':')[1] ?? '';
    const output = JSON.stringify(server.logs) + server.stderr();
    expect(output).not.toContain(token);
    expect(output).not.toContain(key);
    expect(server.logs.find((line) => line.msg === 'generated dev admin token')?.file).toBe(tokenFile);
    expect(server.logs.find((line) => line.msg === 'generated dev encryption key')?.file).toBe(keyFile);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy', checks: { database: { status: 'up' } } });
    const services = await fetch(`${server.url}/api/v1/auth-registry/auth/services`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(services.status).toBe(200);
    expect(await services.json()).toMatchObject({ services: [{ name: 'github' }, { name: 'google' }] });
  });

  it('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const server = await startServerProcess({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'debug' } });
    running.push(server);
    // The request is in flight while its body is still arriving: the test decides when it completes.
    const body = JSON.stringify({ clientId: 'Ov23liexample' });
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: '/api/v1/auth-registry/auth/validate/github',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      agent: false,
    });
    const response = once(req, 'response') as Promise<[IncomingMessage]>;
    req.write(body.slice(0, 5));
    await server.waitForLog((line) => line.msg === 'request received' && line.method === 'POST');
    server.child.kill('SIGTERM');
    const shuttingDown = await server.waitForLog((line) => line.msg === 'shutting down');
    expect(shuttingDown.inFlight).toBe(1);
    req.end(body.slice(5));
    const [res] = await response;
    const text = await readAll(res);
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(text)).toMatchObject({ error: { code: expect.any(String) } });
    const exit = await server.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.logs.find((line) => line.msg === 'shutdown complete')).toMatchObject({
      drained: true,
      abandoned: 0,
    });
  });

  it('a second signal during shutdown exits at once with code 1', async () => {
    const server = await startServerProcess({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'debug' } });
    running.push(server);
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: '/api/v1/auth-registry/auth/validate/github',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
      agent: false,
    });
    req.on('error', () => {});
    req.write('{');
    await server.waitForLog((line) => line.msg === 'request received' && line.method === 'POST');
    server.child.kill('SIGTERM');
    await server.waitForLog((line) => line.msg === 'shutting down');
    server.child.kill('SIGINT');
    expect(await server.stop()).toEqual({ code: 1, signal: null });
    expect(server.logs.some((line) => line.msg === 'second signal, exiting immediately')).toBe(true);
  });
});

describe.runIf(process.env.DATABASE_URL)('mcp-oauth-server CLI on PostgreSQL', () => {
  let database: ThrowAwayDatabase | undefined;
  let url: string;

  beforeAll(async () => {
    database = await createThrowAwayDatabase(process.env.DATABASE_URL ?? '');
    url = database.url;
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('migrate and rotate-keys run against DATABASE_URL', async () => {
    const env = {
      DATABASE_URL: url,
      ENCRYPTION_KEYS: `new:${KEY_NEW}`,
      ADMIN_TOKEN: 'a'.repeat(40),
      DATA_DIR: dataDir,
    };
    const migrated = await runCli(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(
      jsonLines(migrated.stdout).find((line) => line.msg === 'database migrations applied'),
    ).toMatchObject({
      database: 'postgres',
    });
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    const tables = await check.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'mcp_%'",
    );
    await check.end();
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['mcp_table', 'mcp_service_table', 'mcp_credentials', 'mcp_oauth_states']),
    );
    const rotated = await runCli(['rotate-keys'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('re-encrypted 0 rows');
  });

  it('start serves against DATABASE_URL and shuts down cleanly', async () => {
    const server = await startServerProcess({ env: { DATABASE_URL: url, DATA_DIR: dataDir } });
    running.push(server);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  });
});
