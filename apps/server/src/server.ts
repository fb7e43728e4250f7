import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, FetchLike, Logger } from '@org/mcp-oauth-core';
import type { App, AppDeps } from './compose.js';
import { resolvePublicUrl, type ServerConfig } from './config.js';
import { createNodeHandler, type DrainResult } from './node-adapter.js';
import { errorResponse, writeResponse } from './write-response.js';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  logger: Logger;
  fetch?: FetchLike;
  now?: Clock;
  /** How long shutdown waits for in-flight requests. @default 10_000 */
  shutdownTimeoutMs?: number;
  /** Hard limit of a request body at the socket. @default core's DEFAULT_MCP_MAX_BODY_BYTES (1 MiB + 64 KiB) */
  maxBodyBytes?: number;
  /** Builds the application once the port is bound: compose.ts's `createApp`, or a fake in tests. */
  createApp: (config: ServerConfig, deps: AppDeps) => Promise<App>;
}

/** A listening server. */
export interface RunningServer {
  /** Where this process listens, e.g. `http://127.0.0.1:49296`. */
  url: string;
  /** `PUBLIC_URL`, or `http://localhost:<port>`. */
  publicUrl: string;
  port: number;
  /**
   * Graceful shutdown: stop accepting connections, wait for in-flight requests (bounded), close the
   * application (background jobs, cache connections, database pools, embedded database). Idempotent; every
   * call returns the same promise.
   */
  shutdown(): Promise<DrainResult>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function listenUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * Binds `HOST:PORT` (port 0 picks a free one), builds the application, serves it, and logs
 * `{"msg":"listening","url":…}` once requests are handled. Requests that arrive while the application is
 * still starting get 503.
 *
 * @example
 * ```ts
 * const running = await startServer(config, { logger, createApp });
 * process.once('SIGTERM', () => void running.shutdown());
 * ```
 */
export async function startServer(config: ServerConfig, options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const server = createServer({ keepAliveTimeout: 5_000, headersTimeout: 30_000, requestTimeout: 120_000 });
  const starting = (_req: IncomingMessage, res: ServerResponse) =>
    void writeResponse(errorResponse(503, 'SERVICE_STARTING', 'The server is starting; retry shortly'), res);
  server.on('request', starting);

  const port = await listen(server, config.port, config.host);
  const publicUrl = resolvePublicUrl(config, port);
  let app: App;
  try {
    app = await options.createApp(config, { port, logger, fetch: options.fetch, now: options.now });
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  const adapter = createNodeHandler({
    handle: app.handle,
    publicUrl,
    logger,
    maxBodyBytes: options.maxBodyBytes,
  });
  server.off('request', starting).on('request', adapter.listener);
  app.start?.();
  const url = listenUrl(config.host, port);
  logger.info({ url, publicUrl, port }, 'listening');

  let shuttingDown: Promise<DrainResult> | null = null;
  const shutdown = async (): Promise<DrainResult> => {
    logger.info({ inFlight: adapter.inFlight }, 'shutting down');
    const closed = closeServer(server);
    const result = await adapter.drain(options.shutdownTimeoutMs ?? 10_000);
    server.closeAllConnections();
    await closed;
    await app.close();
    logger.info({ drained: result.drained, abandoned: result.abandoned }, 'shutdown complete');
    return result;
  };
  return {
    url,
    publicUrl,
    port,
    shutdown: () => {
      shuttingDown ??= shutdown();
      return shuttingDown;
    },
  };
}

/** Options of {@link installSignalHandlers}. */
export interface SignalHandlerOptions {
  logger: Logger;
  /** @default process.exit */
  exit?: (code: number) => void;
}

/**
 * First SIGTERM/SIGINT: graceful shutdown, then exit 0 (1 when closing failed). Second signal: exit 1 at once.
 */
export function installSignalHandlers(running: RunningServer, options: SignalHandlerOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      options.logger.warn({ signal }, 'second signal, exiting immediately');
      exit(1);
      return;
    }
    received = true;
    options.logger.info({ signal }, 'signal received');
    running.shutdown().then(
      () => exit(0),
      (error: unknown) => {
        options.logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
