import { describe, expect, it } from 'vitest';
import type { App, AppDeps } from '../src/compose.js';
import { loadConfig, type ServerConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { deferred } from './helpers/deferred.js';
import { rawRequest } from './helpers/http-client.js';
import { recordingLogger } from './helpers/logger.js';

const config = loadConfig({ PORT: '0', HOST: '127.0.0.1' });

/** A fake application whose requests finish when the test says so. */
function fakeApp() {
  const entered = deferred();
  const release = deferred();
  let closed = 0;
  const seen: string[] = [];
  const app: App = {
    async handle(request) {
      seen.push(new URL(request.url).pathname);
      if (new URL(request.url).pathname === '/slow') {
        entered.resolve();
        await release.promise;
      }
      return Response.json({ ok: true });
    },
    async close() {
      closed++;
    },
  };
  return { app, entered, release, seen, closedCount: () => closed };
}

describe('startServer', () => {
  it('listens on a free port, logs the listening URL and serves the app', async () => {
    const { logger, records } = recordingLogger();
    const fake = fakeApp();
    let received: AppDeps | undefined;
    const running = await startServer(config, {
      logger,
      createApp: async (_config: ServerConfig, deps: AppDeps) => {
        received = deps;
        return fake.app;
      },
    });
    try {
      expect(running.port).toBeGreaterThan(0);
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
      expect(running.publicUrl).toBe(`http://localhost:${running.port}`);
      expect(received?.port).toBe(running.port);
      expect(records.find((record) => record.message === 'listening')?.fields).toMatchObject({
        url: running.url,
        publicUrl: running.publicUrl,
      });
      const response = await rawRequest(running.port, { path: '/health' });
      expect(response).toMatchObject({ status: 200, body: '{"ok":true}' });
    } finally {
      await running.shutdown();
    }
    expect(fake.closedCount()).toBe(1);
  });

  it('answers 503 while the application is still starting', async () => {
    const { logger } = recordingLogger();
    const fake = fakeApp();
    const bound = deferred<number>();
    const ready = deferred();
    const starting = startServer(config, {
      logger,
      createApp: async (_config, deps) => {
        bound.resolve(deps.port ?? 0);
        await ready.promise;
        return fake.app;
      },
    });
    const port = await bound.promise;
    const early = await rawRequest(port, { path: '/health' });
    expect(early.status).toBe(503);
    expect(JSON.parse(early.body)).toMatchObject({ error: { code: 'SERVICE_STARTING' } });
    ready.resolve();
    const running = await starting;
    expect((await rawRequest(port, { path: '/health' })).status).toBe(200);
    await running.shutdown();
  });

  it('releases the port when the application fails to start', async () => {
    const { logger } = recordingLogger();
    const bound = deferred<number>();
    const failure = startServer(config, {
      logger,
      createApp: async (_config, deps) => {
        bound.resolve(deps.port ?? 0);
        throw new Error('database unreachable');
      },
    });
    await expect(failure).rejects.toThrow('database unreachable');
    await expect(rawRequest(await bound.promise, { path: '/' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('shutdown stops accepting, finishes the in-flight request, then closes the app once', async () => {
    const { logger, records } = recordingLogger();
    const fake = fakeApp();
    const running = await startServer(config, { logger, createApp: async () => fake.app });
    const inFlight = rawRequest(running.port, { path: '/slow' });
    await fake.entered.promise;
    const shutdown = running.shutdown();
    expect(running.shutdown()).toBe(shutdown);
    await expect(rawRequest(running.port, { path: '/health' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(fake.closedCount()).toBe(0);
    fake.release.resolve();
    expect(await inFlight).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(await shutdown).toEqual({ drained: true, abandoned: 0 });
    expect(fake.closedCount()).toBe(1);
    expect(records.map((record) => record.message)).toEqual(
      expect.arrayContaining(['listening', 'shutting down', 'shutdown complete']),
    );
  });

  it('shutdown is bounded: a request that never finishes is abandoned', async () => {
    const { logger } = recordingLogger();
    const fake = fakeApp();
    const running = await startServer(config, {
      logger,
      shutdownTimeoutMs: 1,
      createApp: async () => fake.app,
    });
    const inFlight = rawRequest(running.port, { path: '/slow' }).catch((error: unknown) => error);
    await fake.entered.promise;
    expect(await running.shutdown()).toEqual({ drained: false, abandoned: 1 });
    expect(await inFlight).toBeInstanceOf(Error);
    expect(fake.closedCount()).toBe(1);
  });
});
