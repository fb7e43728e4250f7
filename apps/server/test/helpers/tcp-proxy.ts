import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of a server (e.g. PostgreSQL) that a test can cut and restore. */
export interface TcpProxy {
  /** The port clients connect to; stays the same across stop/start. */
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Closes the listener and destroys every open connection (both sides): the upstream looks down. Idempotent. */
  stop(): Promise<void>;
  /** Same as {@link TcpProxy.stop}. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free loopback port forwarding every connection to `target`.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
 * const url = `postgres://postgres@127.0.0.1:${proxy.port}/db`;
 * await proxy.stop(); // PostgreSQL "goes down"
 * await proxy.start(); // and comes back
 * ```
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const listen = async () => {
    const next = createServer((client) => {
      const upstream = createConnection(target);
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    next.listen(port, '127.0.0.1');
    await once(next, 'listening');
    const address = next.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    port = address.port;
    server = next;
  };

  const stop = async () => {
    const current = server;
    server = undefined;
    if (current === undefined) return;
    const closed = once(current, 'close');
    current.close();
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get openConnections() {
      return sockets.size;
    },
    async start() {
      if (server === undefined) await listen();
    },
    stop,
    close: stop,
  };
}
