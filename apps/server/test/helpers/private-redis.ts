import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** `true` when a `redis-server` binary is on PATH. */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A private, throw-away `redis-server` child process (no persistence) that can be stopped and restarted. */
export interface PrivateRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`: pass as `REDIS_URL`. */
  readonly url: string;
  /** Starts the server on its port; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Kills the server (SIGKILL, like a crash); resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A private `redis-server` on `port` (default: a free one), so a test can stop Redis without touching the shared
 * one and every key and channel is its own.
 *
 * @example
 * ```ts
 * const redis = await privateRedis();
 * await redis.start();
 * await redis.stop();
 * ```
 */
export async function privateRedis(port?: number): Promise<PrivateRedis> {
  const chosen = port ?? (await freePort());
  let child: ChildProcess | undefined;
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    async start() {
      const proc = spawn(
        'redis-server',
        ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = proc;
      await new Promise<void>((resolve, reject) => {
        let output = '';
        proc.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) resolve();
        });
        proc.once('exit', (code) => reject(new Error(`redis-server exited early (${code}): ${output}`)));
      });
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
}
