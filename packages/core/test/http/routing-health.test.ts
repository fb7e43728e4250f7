import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../../src/errors/index.js';
import { createHttpHandler } from '../../src/http/create-handler.js';
import { ADMIN_TOKEN, BASE, createHarness, errorOf, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('options', () => {
  it('refuses a short admin token, naming the option but not the value', () => {
    const attempt = () =>
      createHttpHandler({ flow: h.flow, store: h.store, adminToken: 'short-secret', version: '1' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/adminToken/);
    expect(attempt).not.toThrow(/short-secret/);
  });

  it.each([
    ['maxBodyBytes', { maxBodyBytes: 0 }],
    ['maxBodyBytes', { maxBodyBytes: 1.5 }],
    ['version', { version: '' }],
    ['allowedHosts', { allowedHosts: [] }],
    ['adminToken', { adminToken: `${'x'.repeat(40)} with spaces` }],
  ])('refuses an invalid %s', (option, override) => {
    expect(() =>
      createHttpHandler({ flow: h.flow, store: h.store, adminToken: ADMIN_TOKEN, version: '1', ...override }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID_OPTION', option }));
  });
});

describe('GET /health', () => {
  it('reports healthy with version, uptime and checks', async () => {
    const handler = h.make();
    h.clock.now += 5_000;
    const response = await handler.handle(new Request(`${BASE}/health`));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      status: 'healthy',
      version: '9.9.9-test',
      uptime: 5,
      checks: {
        database: { status: 'up', latencyMs: expect.any(Number) },
        cache: { status: 'not_configured' },
      },
    });
  });

  it('is unhealthy with 503 when the database does not answer', async () => {
    const store = {
      ...h.store,
      ping: async () => {
        throw new StoreError('STORE_UNAVAILABLE', 'connection refused');
      },
    };
    const handler = h.make({ store });
    const response = await handler.handle(new Request(`${BASE}/health`));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; checks: { database: { status: string } } };
    expect(body.status).toBe('unhealthy');
    expect(body.checks.database.status).toBe('down');
    expect(JSON.stringify(body)).not.toContain('connection refused');
  });

  it('is degraded (200) when only the cache fails', async () => {
    const handler = h.make({
      healthChecks: {
        cache: async () => {
          throw new Error('redis down');
        },
      },
    });
    const response = await handler.handle(new Request(`${BASE}/health`));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'degraded',
      checks: { cache: { status: 'down' } },
    });
  });

  it('answers HEAD without a body', async () => {
    const response = await h.handler.handle(new Request(`${BASE}/health`, { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});

describe('routing', () => {
  it.each(['/nope', '/health/', '/api/v1/instances/', '//health', '/api/v1/metrics', '/metrics'])(
    'answers 404 NOT_FOUND for %s',
    async (path) => {
      const response = await h.handler.handle(new Request(`${BASE}${path}`));
      expect(await errorOf(response)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    },
  );

  it('answers 405 with Allow for a wrong method', async () => {
    const response = await h.handler.handle(new Request(`${BASE}/health`, { method: 'POST' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect((await errorOf(response)).code).toBe('METHOD_NOT_ALLOWED');
    const put = await h.handler.handle(new Request(`${BASE}/api/v1/instances`, { method: 'PUT' }));
    expect(put.status).toBe(405);
  });

  it('adds a generated request id, keeps a sane incoming one and replaces an insane one', async () => {
    const generated = await h.handler.handle(new Request(`${BASE}/nope`));
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await h.handler.handle(
      new Request(`${BASE}/nope`, { headers: { 'x-request-id': 'abc_DEF-123' } }),
    );
    expect(kept.headers.get('x-request-id')).toBe('abc_DEF-123');
    const replaced = await h.handler.handle(
      new Request(`${BASE}/nope`, { headers: { 'x-request-id': 'x'.repeat(65) } }),
    );
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const injected = await h.handler.handle(
      new Request(`${BASE}/nope`, { headers: { 'x-request-id': "1' OR '1'='1" } }),
    );
    expect(injected.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets no-store and nosniff on every response', async () => {
    const response = await h.handler.handle(new Request(`${BASE}/health`));
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers an unexpected failure with a generic 500 naming only the request id, and logs it', async () => {
    const store = {
      ...h.store,
      services: {
        ...h.store.services,
        listServices: async () => {
          throw new Error('db password is hunter2');
        },
      },
    };
    const handler = h.make({ store });
    const response = await handler.handle(
      new Request(`${BASE}/api/v1/auth-registry/auth/services`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-request-id': 'req-500' },
      }),
    );
    const error = await errorOf(response);
    expect(error).toEqual({
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal error (request id req-500).',
    });
    expect(h.logs.some((entry) => entry.level === 'error' && entry.fields.requestId === 'req-500')).toBe(
      true,
    );
  });
});
