import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The built CLI the helpers spawn (`pnpm --filter @org/mcp-oauth-server build` first). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Variables of ARCHITECTURE.md §5 (and `TOOL_RATE_LIMIT_*`); not inherited from the test runner's environment unless passed in `env`. */
const SERVER_VARIABLES =
  /^(PORT|HOST|PUBLIC_URL|DATABASE_URL|DATA_DIR|REDIS_URL|ENCRYPTION_KEYS|ADMIN_TOKEN|LOG_LEVEL|TOOL_RATE_LIMIT_.*|GITHUB_.*|GOOGLE_.*)$/;

/** A JSON log line of the server (pino). */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /**
   * Environment of the server on top of the defaults `PORT=0`, `HOST=127.0.0.1`, `LOG_LEVEL=info`, a fresh
   * temporary `DATA_DIR`, a random `ADMIN_TOKEN`, and a random `ENCRYPTION_KEYS` when `DATABASE_URL` is set.
   * Set a variable to `undefined` to drop a default (e.g. `ADMIN_TOKEN: undefined` to use the generated dev file).
   */
  env?: Record<string, string | undefined>;
  /** CLI arguments. @default ['start'] */
  args?: string[];
  /** How long to wait for the `listening` line. @default 30_000 */
  startTimeoutMs?: number;
}

/** A running server process. */
export interface ServerProcess {
  /** Where it listens, from the `listening` line (`http://127.0.0.1:<port>`). */
  url: string;
  /** Its public URL (`http://localhost:<port>` unless `PUBLIC_URL` was given). */
  publicUrl: string;
  port: number;
  /** `ADMIN_TOKEN` it runs with, or `undefined` when the dev token file is used. */
  adminToken: string | undefined;
  dataDir: string;
  /** Every stdout line so far (JSON lines parsed, anything else as `{ msg: line, raw: true }`). */
  logs: LogLine[];
  /** Everything written to stderr so far. */
  stderr(): string;
  child: ChildProcess;
  /** Resolves with the first log line (past or future) matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends `signal` (default SIGTERM), waits for exit (SIGKILL after 15 s), removes a temporary DATA_DIR. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !SERVER_VARIABLES.test(name)) env[name] = value;
  }
  return env;
}

function parseLine(line: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed !== null && typeof parsed === 'object') return parsed as LogLine;
  } catch {}
  return { msg: line, raw: true };
}

/**
 * Spawns `node dist/cli.js start` on a free port and resolves once it logs `{"msg":"listening","url":…}`.
 * Rejects (with the output so far) when the process exits or stays silent first. For end-to-end tests.
 *
 * @example
 * ```ts
 * const server = await startServerProcess({ env: { GITHUB_URL: fakeGitHub.url } });
 * await fetch(`${server.url}/health`);
 * await server.stop();
 * ```
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: build @org/mcp-oauth-server first`);
  const ownDataDir =
    options.env && 'DATA_DIR' in options.env ? null : await mkdtemp(join(tmpdir(), 'mcp-oauth-server-'));
  const defaults: Record<string, string | undefined> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATA_DIR: ownDataDir ?? undefined,
    ADMIN_TOKEN: randomBytes(32).toString('base64url'),
  };
  if (options.env?.DATABASE_URL) defaults.ENCRYPTION_KEYS = `test:${randomBytes(32).toString('base64')}`;
  const merged: Record<string, string | undefined> = { ...baseEnv(), ...defaults, ...options.env };
  const env = Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );

  const child = spawn(process.execPath, [CLI_PATH, ...(options.args ?? ['start'])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const watchers = new Set<(line: LogLine) => void>();
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = parseLine(text);
    logs.push(line);
    for (const watcher of watchers) watcher(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const waitForLog = (predicate: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> => {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = (outcome: () => void) => {
        clearTimeout(timer);
        watchers.delete(watcher);
        outcome();
      };
      const watcher = (line: LogLine) => {
        if (predicate(line)) done(() => resolve(line));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`no matching log line within ${timeoutMs} ms`))),
        timeoutMs,
      );
      watchers.add(watcher);
      void exited.then(({ code, signal }) =>
        done(() =>
          reject(
            new Error(
              `server exited (code ${code}, signal ${signal})\nstdout:\n${logs.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${stderr}`,
            ),
          ),
        ),
      );
    });
  };

  const cleanup = async () => {
    if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true });
  };
  const stop: ServerProcess['stop'] = async (signal = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(killer);
      await cleanup();
      return result;
    }
    await cleanup();
    return exited;
  };

  let listening: LogLine;
  try {
    listening = await waitForLog((line) => line.msg === 'listening', options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return {
    url: String(listening.url),
    publicUrl: String(listening.publicUrl),
    port: Number(listening.port),
    adminToken: env.ADMIN_TOKEN,
    dataDir: env.DATA_DIR ?? '',
    logs,
    stderr: () => stderr,
    child,
    waitForLog,
    stop,
  };
}
