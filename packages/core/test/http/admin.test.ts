import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, BASE, createHarness, errorOf, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const INITIATE = '/api/v1/auth-registry/auth/initiate-oauth/fakehub';
const SQLISH = ["1' OR '1'='1", "x'; DROP TABLE mcp_service_table;--", '../etc/passwd', '123', 'not-a-uuid'];

describe('admin authentication', () => {
  const routes: Array<[string, string]> = [
    ['GET', '/api/v1/auth-registry/auth/services'],
    ['POST', '/api/v1/auth-registry/auth/validate/fakehub'],
    ['POST', INITIATE],
    ['GET', '/api/v1/instances'],
    ['GET', `/api/v1/instances/${crypto.randomUUID()}`],
    ['DELETE', `/api/v1/instances/${crypto.randomUUID()}`],
    ['POST', `/api/v1/instances/${crypto.randomUUID()}/api-keys`],
    ['DELETE', `/api/v1/instances/${crypto.randomUUID()}/api-keys/${crypto.randomUUID()}`],
    ['POST', '/cache-tokens'],
  ];

  it.each(routes)('%s %s without a token answers 401 with WWW-Authenticate', async (method, path) => {
    const response = await h.handler.handle(new Request(`${BASE}${path}`, { method }));
    expect(await errorOf(response)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
  });

  it.each(routes)('%s %s with a wrong token answers 401 (not 403)', async (method, path) => {
    for (const authorization of [
      `Bearer ${ADMIN_TOKEN}x`,
      'Bearer wrong',
      `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`,
    ]) {
      const response = await h.handler.handle(
        new Request(`${BASE}${path}`, { method, headers: { authorization } }),
      );
      expect(await errorOf(response)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('does not create anything for an unauthenticated initiate-oauth', async () => {
    const before = h.flow.calls.createAuthorizationRequest.length;
    await h.handler.handle(
      new Request(`${BASE}${INITIATE}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
        body: JSON.stringify({ userId: 'u' }),
      }),
    );
    expect(h.flow.calls.createAuthorizationRequest.length).toBe(before);
  });
});

describe('auth-registry', () => {
  it('lists services with display name and status', async () => {
    const response = await h.admin('GET', '/api/v1/auth-registry/auth/services');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      services: [
        { name: 'fakehub', displayName: 'FakeHub', authType: 'oauth2', status: 'active', enabled: true },
      ],
    });
  });

  it('validates credentials through the flow', async () => {
    const response = await h.admin('POST', '/api/v1/auth-registry/auth/validate/fakehub', {
      clientId: 'Iv1.abc',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ serviceName: 'fakehub', valid: true });
    expect(h.flow.calls.validateCredentials.at(-1)).toEqual({
      serviceName: 'fakehub',
      input: { clientId: 'Iv1.abc' },
    });
  });

  it('accepts a bare POST to validate (all fields optional)', async () => {
    const response = await h.admin('POST', '/api/v1/auth-registry/auth/validate/fakehub');
    expect(response.status).toBe(200);
  });

  it('initiates OAuth: 201 with instanceId, authorizationUrl and expiresAt', async () => {
    const response = await h.admin('POST', INITIATE, {
      userId: 'user-7',
      scopes: ['read:user', 'repo'],
      readOnly: true,
      toolsets: ['context'],
      redirectAfter: 'https://app.example.com/done',
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      instanceId: string;
      authorizationUrl: string;
      expiresAt: string;
    };
    expect(body.authorizationUrl).toMatch(/^https:\/\/fakehub\.test\//);
    expect(new Date(body.expiresAt).toISOString()).toBe(body.expiresAt);
    const instance = await h.store.instances.getInstance(body.instanceId);
    expect(instance).toMatchObject({ status: 'pending_oauth', userId: 'user-7' });
    expect(h.flow.calls.createAuthorizationRequest.at(-1)).toMatchObject({
      serviceName: 'fakehub',
      userId: 'user-7',
      requestId: expect.any(String),
    });
  });

  it.each([
    ['/api/v1/auth-registry/auth/initiate-oauth/nope', { userId: 'u' }],
    ['/api/v1/auth-registry/auth/validate/nope', {}],
    ['/api/v1/auth-registry/auth/initiate-oauth/GitHub', { userId: 'u' }],
    [`/api/v1/auth-registry/auth/initiate-oauth/${encodeURIComponent("x' OR 1=1")}`, { userId: 'u' }],
  ])('answers 404 OAUTH_SERVICE_UNKNOWN for %s without calling the flow', async (path, body) => {
    const before = h.flow.calls.createAuthorizationRequest.length + h.flow.calls.validateCredentials.length;
    const error = await errorOf(await h.admin('POST', path, body));
    expect(error).toMatchObject({ status: 404, code: 'OAUTH_SERVICE_UNKNOWN' });
    expect(h.flow.calls.createAuthorizationRequest.length + h.flow.calls.validateCredentials.length).toBe(
      before,
    );
  });
});

describe('bad JSON bodies', () => {
  async function countInstances(): Promise<number> {
    return (await h.store.instances.listInstances({ limit: 500 })).items.length;
  }

  it('answers 400 INVALID_JSON for malformed JSON and stores nothing', async () => {
    const before = await countInstances();
    for (const body of ['{"userId":', '{userId: "x"}', 'nul', '\u0000', '{"userId":"u"}}']) {
      const error = await errorOf(await h.admin('POST', INITIATE, body));
      expect(error).toMatchObject({ status: 400, code: 'INVALID_JSON' });
    }
    expect(await countInstances()).toBe(before);
  });

  it('answers 400 INVALID_JSON for invalid UTF-8', async () => {
    const response = await h.handler.handle(
      new Request(`${BASE}${INITIATE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      }),
    );
    expect((await errorOf(response)).code).toBe('INVALID_JSON');
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 64 KiB', async () => {
    const big = JSON.stringify({ userId: 'u', scopes: ['a'], pad: 'x'.repeat(70_000) });
    const error = await errorOf(await h.admin('POST', INITIATE, big));
    expect(error).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers 413 from a declared Content-Length before reading the body', async () => {
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(1024)),
    });
    const request = new Request(`${BASE}${INITIATE}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/json',
        'content-length': '10000000',
      },
      body,
      duplex: 'half',
    } as RequestInit);
    const response = await h.handler.handle(request);
    expect(await errorOf(response)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(request.bodyUsed).toBe(false);
  });

  it('answers 400 for a malformed Content-Length', async () => {
    const error = await errorOf(
      await h.admin('POST', INITIATE, '{"userId":"u"}', { 'content-length': '12abc' }),
    );
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
  });

  it('answers 413 for a streamed body without Content-Length that grows past the limit', async () => {
    let pulls = 0;
    const chunk = new TextEncoder().encode('x'.repeat(16_384));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (pulls === 1) controller.enqueue(new TextEncoder().encode('{"userId":"'));
        else if (pulls < 1_000) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const handler = h.make({ maxBodyBytes: 32_768 });
    const response = await handler.handle(
      new Request(`${BASE}${INITIATE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(await errorOf(response)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(pulls).toBeLessThan(10);
  });

  it('answers 415 for a non-JSON content type', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const response = await h.admin('POST', INITIATE, 'userId=u', { 'content-type': contentType });
      expect(await errorOf(response)).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
  });

  it('accepts application/json with a charset', async () => {
    const response = await h.admin(
      'POST',
      INITIATE,
      { userId: 'u' },
      { 'content-type': 'application/json; charset=utf-8' },
    );
    expect(response.status).toBe(201);
  });

  it.each([
    [{}, 'userId'],
    [[], ''],
    ['"just a string"', ''],
    [{ userId: '' }, 'userId'],
    [{ userId: 'u'.repeat(201) }, 'userId'],
    [{ userId: 42 }, 'userId'],
    [{ userId: 'u', scopes: 'repo' }, 'scopes'],
    [{ userId: 'u', scopes: ['has space'] }, 'scopes.0'],
    [{ userId: 'u', scopes: ['ok', ''] }, 'scopes.1'],
    [{ userId: 'u', scopes: ['x'.repeat(201)] }, 'scopes.0'],
    [{ userId: 'u', scopes: Array.from({ length: 51 }, (_, i) => `s${i}`) }, 'scopes'],
    [{ userId: 'u', readOnly: 'yes' }, 'readOnly'],
    [{ userId: 'u', redirectAfter: 'javascript:alert(1)' }, 'redirectAfter'],
    [{ userId: 'u', redirectAfter: '/relative' }, 'redirectAfter'],
    [{ userId: 'u', redirectAfter: 'https://user:pw@evil.example' }, 'redirectAfter'],
    [{ userId: 'u', instanceId: "1' OR '1'='1" }, 'instanceId'],
    [{ userId: 'u', clientId: 'abc' }, 'clientSecret'],
    [{ userId: 'u', toolsets: ['Bad Set'] }, 'toolsets.0'],
    [{ userId: 'u', scope: ['typo'] }, 'scope'],
  ])('answers 400 INVALID_REQUEST for %j naming %s', async (body, field) => {
    const error = await errorOf(await h.admin('POST', INITIATE, body));
    expect(error.status).toBe(400);
    expect(error.code).toBe('INVALID_REQUEST');
    if (field !== '') expect(error.message).toContain(field);
  });

  it('never echoes a client secret in a validation error', async () => {
    const secret = 'super-secret-value-123';
    const error = await errorOf(
      await h.admin('POST', INITIATE, { userId: '', clientId: 'id', clientSecret: secret }),
    );
    expect(error.message).not.toContain(secret);
  });
});

describe('instances', () => {
  it('lists instances with filters, paging and public views only', async () => {
    const userId = `pager-${crypto.randomUUID()}`;
    for (let i = 0; i < 3; i++) {
      h.clock.now += 1_000;
      await h.seedInstance({
        userId,
        config: { clientId: 'own-client', clientSecretCiphertext: 'v1.kid.secret-ct' },
      });
    }
    const first = await h.admin('GET', `/api/v1/instances?userId=${userId}&limit=2`);
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as {
      items: Array<Record<string, unknown>>;
      nextCursor: string | null;
    };
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const text = JSON.stringify(page1);
    expect(text).not.toContain('ciphertext');
    expect(text).not.toContain('secret-ct');
    expect(page1.items[0]).toMatchObject({
      hasOwnClient: true,
      clientId: 'own-client',
      userId,
      status: 'active',
    });
    expect(Object.keys(page1.items[0] ?? {}).sort()).toEqual(
      [
        'clientId',
        'createdAt',
        'hasOwnClient',
        'instanceId',
        'lastUsedAt',
        'oauthCompletedAt',
        'readOnly',
        'scopes',
        'serviceName',
        'status',
        'toolsets',
        'updatedAt',
        'upstreamLogin',
        'upstreamSubject',
        'userId',
      ].sort(),
    );
    const second = await h.admin(
      'GET',
      `/api/v1/instances?userId=${userId}&limit=2&cursor=${page1.nextCursor}`,
    );
    const page2 = (await second.json()) as { items: unknown[]; nextCursor: string | null };
    expect(page2.items).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
  });

  it('defaults the limit to 50', async () => {
    const response = await h.admin('GET', '/api/v1/instances');
    expect(response.status).toBe(200);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['status=bogus', 'status'],
    ['serviceName=Bad%20Name', 'serviceName'],
    ['cursor=%20', 'cursor'],
  ])('answers 400 INVALID_REQUEST for ?%s', async (query, field) => {
    const error = await errorOf(await h.admin('GET', `/api/v1/instances?${query}`));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(error.message).toContain(field);
  });

  it('answers 400 for a forged cursor', async () => {
    const error = await errorOf(await h.admin('GET', '/api/v1/instances?cursor=forged-cursor'));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
  });

  it('gets one instance, 404 for an unknown id', async () => {
    const instance = await h.seedInstance();
    const response = await h.admin('GET', `/api/v1/instances/${instance.instanceId}`);
    expect(await response.json()).toMatchObject({ instanceId: instance.instanceId, serviceName: 'fakehub' });
    const upper = await h.admin('GET', `/api/v1/instances/${instance.instanceId.toUpperCase()}`);
    expect(upper.status).toBe(200);
    const missing = await errorOf(await h.admin('GET', `/api/v1/instances/${crypto.randomUUID()}`));
    expect(missing).toMatchObject({ status: 404, code: 'INSTANCE_NOT_FOUND' });
  });

  it.each(SQLISH)('answers 400 INVALID_INSTANCE_ID for %j on every admin instance route', async (raw) => {
    const id = encodeURIComponent(raw);
    for (const [method, path] of [
      ['GET', `/api/v1/instances/${id}`],
      ['DELETE', `/api/v1/instances/${id}`],
      ['POST', `/api/v1/instances/${id}/api-keys`],
      ['DELETE', `/api/v1/instances/${id}/api-keys/${crypto.randomUUID()}`],
    ] as const) {
      const error = await errorOf(await h.admin(method, path));
      expect(error).toMatchObject({ status: 400, code: 'INVALID_INSTANCE_ID' });
    }
  });

  it('deletes an instance: revokes upstream, cascades credentials and keys, audits', async () => {
    const instance = await h.seedInstance();
    const key = await h.createKey(instance.instanceId);
    const response = await h.admin('DELETE', `/api/v1/instances/${instance.instanceId}`, undefined, {
      'x-request-id': 'del-1',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      deleted: true,
      upstreamRevoked: true,
      detail: 'Revoked upstream.',
    });
    expect(h.flow.calls.revokeTokens).toContain(instance.instanceId);
    expect(await h.store.instances.getInstance(instance.instanceId)).toBeNull();
    expect(await h.store.credentials.getCredential(instance.instanceId)).toBeNull();
    expect(await h.store.apiKeys.listApiKeys(instance.instanceId)).toEqual([]);
    const audit = await h.store.audit.listAudit({ instanceId: instance.instanceId, limit: 10 });
    expect(audit.map((event) => event.event)).toContain('instance.deleted');
    expect(audit.find((event) => event.event === 'instance.deleted')).toMatchObject({
      actor: 'admin',
      requestId: 'del-1',
    });
    expect(JSON.stringify(audit)).not.toContain(key);
    const again = await errorOf(await h.admin('DELETE', `/api/v1/instances/${instance.instanceId}`));
    expect(again).toMatchObject({ status: 404, code: 'INSTANCE_NOT_FOUND' });
  });

  it('still deletes when revocation blows up, reporting it', async () => {
    const instance = await h.seedInstance();
    h.flow.failRevoke = true;
    try {
      const response = await h.admin('DELETE', `/api/v1/instances/${instance.instanceId}`);
      expect(await response.json()).toMatchObject({ deleted: true, upstreamRevoked: false });
    } finally {
      h.flow.failRevoke = false;
    }
    expect(await h.store.instances.getInstance(instance.instanceId)).toBeNull();
  });

  it('purges the cache on delete when a cache is configured', async () => {
    const invalidated: string[] = [];
    const handler = h.make({
      cache: {
        reload: async () => 0,
        invalidate: async (id) => {
          invalidated.push(id);
        },
      },
    });
    const instance = await h.seedInstance();
    await handler.handle(
      new Request(`${BASE}/api/v1/instances/${instance.instanceId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
    );
    expect(invalidated).toEqual([instance.instanceId]);
  });
});

describe('API keys', () => {
  it('creates a key shown once and stored only as a hash with a prefix', async () => {
    const instance = await h.seedInstance();
    const response = await h.admin('POST', `/api/v1/instances/${instance.instanceId}/api-keys`, {
      name: 'laptop',
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      keyId: string;
      apiKey: string;
      prefix: string;
      createdAt: string;
    };
    expect(body.apiKey).toMatch(/^mcpk_[A-Za-z0-9_-]{43}$/);
    expect(body.prefix).toBe(body.apiKey.slice(0, 12));
    const [stored] = await h.store.apiKeys.listApiKeys(instance.instanceId);
    expect(stored).toMatchObject({ keyId: body.keyId, prefix: body.prefix, name: 'laptop' });
    expect(stored?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(body.apiKey);
  });

  it('accepts a bare POST and rejects a bad name', async () => {
    const instance = await h.seedInstance();
    expect((await h.admin('POST', `/api/v1/instances/${instance.instanceId}/api-keys`)).status).toBe(201);
    const error = await errorOf(
      await h.admin('POST', `/api/v1/instances/${instance.instanceId}/api-keys`, { name: 'n'.repeat(101) }),
    );
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(error.message).toContain('name');
  });

  it('answers 404 for a key of an unknown instance', async () => {
    const error = await errorOf(
      await h.admin('POST', `/api/v1/instances/${crypto.randomUUID()}/api-keys`, {}),
    );
    expect(error).toMatchObject({ status: 404, code: 'INSTANCE_NOT_FOUND' });
  });

  it('deletes a key (204) only through its own instance', async () => {
    const a = await h.seedInstance();
    const b = await h.seedInstance();
    const response = await h.admin('POST', `/api/v1/instances/${a.instanceId}/api-keys`, {});
    const { keyId } = (await response.json()) as { keyId: string };
    const foreign = await errorOf(
      await h.admin('DELETE', `/api/v1/instances/${b.instanceId}/api-keys/${keyId}`),
    );
    expect(foreign).toMatchObject({ status: 404, code: 'API_KEY_NOT_FOUND' });
    const bogus = await errorOf(
      await h.admin('DELETE', `/api/v1/instances/${a.instanceId}/api-keys/not-a-key`),
    );
    expect(bogus).toMatchObject({ status: 404, code: 'API_KEY_NOT_FOUND' });
    const deleted = await h.admin('DELETE', `/api/v1/instances/${a.instanceId}/api-keys/${keyId}`);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(await h.store.apiKeys.listApiKeys(a.instanceId)).toEqual([]);
  });
});

describe('POST /cache-tokens', () => {
  it('uses the cache when configured', async () => {
    const seen: Array<string[] | undefined> = [];
    const handler = h.make({
      cache: {
        reload: async (ids) => {
          seen.push(ids);
          return 7;
        },
      },
    });
    const id = crypto.randomUUID();
    const response = await handler.handle(
      new Request(`${BASE}/cache-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ instanceIds: [id] }),
      }),
    );
    expect(await response.json()).toEqual({ reloaded: 7 });
    expect(seen).toEqual([[id]]);
  });

  it('without a cache, warms the given active instances through the flow', async () => {
    const active = await h.seedInstance();
    const reauth = await h.seedInstance({ status: 'needs_reauth' });
    const response = await h.admin('POST', '/cache-tokens', {
      instanceIds: [active.instanceId, reauth.instanceId, crypto.randomUUID()],
    });
    expect(await response.json()).toEqual({ reloaded: 1, failed: 0 });
  });

  it('rejects ids that are not UUIDs', async () => {
    const error = await errorOf(await h.admin('POST', '/cache-tokens', { instanceIds: ["1'; --"] }));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(error.message).toContain('instanceIds.0');
  });
});
