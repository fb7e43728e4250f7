import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** `true` when a `redis-server` binary is on PATH (tests that start a private Redis skip otherwise). */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A loopback port nobody listens on right now (e.g. a closed Redis port for "unreachable" tests). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('freePort: no TCP address');
  return address.port;
}

/** A private, throw-away `redis-server` child process (no persistence) that can be stopped and restarted. */
export interface PrivateRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`: pass as `REDIS_URL`. */
  readonly url: string;
  /** (Re)starts the server on the same port; resolves when it accepts connections. No-op while it runs. */
  start(): Promise<void>;
  /** Kills the server (SIGKILL, like a crash); resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
}

/** Spawns `redis-server` on `port`; resolves with the process once it logs that it accepts connections. */
async function spawnRedis(port: number): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`redis-server exited early (${code}): ${output}`)));
  });
  return proc;
}

/**
 * Starts a private `redis-server` on `port` (default: a free one) and resolves when it accepts connections, so a
 * test can stop Redis without touching the shared one and every key and channel is its own.
 *
 * @example
 * ```ts
 * const redis = await startPrivateRedis();
 * await redis.stop(); // Redis "crashes"
 * await redis.start(); // … and comes back on the same port
 * await redis.stop();
 * ```
 */
export async function startPrivateRedis(port?: number): Promise<PrivateRedis> {
  const chosen = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const redis: PrivateRedis = {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    async start() {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
      child = await spawnRedis(chosen);
    },
    async stop() {
      const proc = child;
      child = undefined;
      if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGKILL');
      await exited;
    },
  };
  await redis.start();
  return redis;
}
