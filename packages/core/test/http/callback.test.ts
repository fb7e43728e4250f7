import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, createHarness, errorOf, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const CALLBACK = '/api/v1/auth-registry/auth/callback';

/** Initiates a flow through the admin API; returns the instance id and the state value. */
async function initiate(body: Record<string, unknown> = {}): Promise<{ instanceId: string; state: string }> {
  const response = await h.admin('POST', '/api/v1/auth-registry/auth/initiate-oauth/fakehub', {
    userId: 'u1',
    ...body,
  });
  const { instanceId, authorizationUrl } = (await response.json()) as {
    instanceId: string;
    authorizationUrl: string;
  };
  const state = new URL(authorizationUrl).searchParams.get('state');
  if (state === null) throw new Error('no state');
  return { instanceId, state };
}

function callback(
  query: string,
  headers: Record<string, string> = {},
  service = 'fakehub',
): Promise<Response> {
  return h.handler.handle(new Request(`${BASE}${CALLBACK}/${service}?${query}`, { headers }));
}

function expectCallbackHeaders(response: Response): void {
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('callback success', () => {
  it('answers JSON by default and activates the instance', async () => {
    const { instanceId, state } = await initiate();
    const response = await callback(`code=good&state=${state}`);
    expect(response.status).toBe(200);
    expectCallbackHeaders(response);
    expect(await response.json()).toEqual({
      instanceId,
      serviceName: 'fakehub',
      status: 'active',
      login: 'octocat',
    });
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'active' });
  });

  it('answers a small HTML page to a browser', async () => {
    const { state } = await initiate();
    const response = await callback(`code=good&state=${state}`, {
      accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
    });
    expect(response.status).toBe(200);
    expectCallbackHeaders(response);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('Connected octocat');
    expect(html).not.toContain(state);
    expect(html).not.toContain('good');
  });

  it('redirects (303) to redirectAfter', async () => {
    const { state } = await initiate({ redirectAfter: 'https://app.example.com/connected?x=1' });
    const response = await callback(`code=good&state=${state}`, { accept: 'text/html' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://app.example.com/connected?x=1');
    expectCallbackHeaders(response);
  });
});

describe('callback failures (nothing stored, nothing echoed)', () => {
  async function expectNothingStored(instanceId: string): Promise<void> {
    expect(await h.store.instances.getInstance(instanceId)).toMatchObject({ status: 'pending_oauth' });
    expect(await h.store.credentials.getCredential(instanceId)).toBeNull();
  }

  it('state missing → 400 OAUTH_STATE_MISSING', async () => {
    const response = await callback('code=good');
    expect(await errorOf(response)).toMatchObject({ status: 400, code: 'OAUTH_STATE_MISSING' });
  });

  it('unknown state → 400 OAUTH_STATE_UNKNOWN, state value not echoed', async () => {
    const state = 'state-unknown-value-1234567890';
    const response = await callback(`code=good&state=${state}`);
    expectCallbackHeaders(response);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'OAUTH_STATE_UNKNOWN' } });
    expect(response.status).toBe(400);
    expect(text).not.toContain(state);
  });

  it('replayed state → 400 OAUTH_STATE_USED', async () => {
    const { state } = await initiate();
    expect((await callback(`code=good&state=${state}`)).status).toBe(200);
    expect(await errorOf(await callback(`code=good&state=${state}`))).toMatchObject({
      status: 400,
      code: 'OAUTH_STATE_USED',
    });
  });

  it('state of another service → 400 OAUTH_STATE_SERVICE_MISMATCH', async () => {
    const second = { ...h.flow.providers.get('fakehub')!, id: 'otherhub', displayName: 'OtherHub' };
    (h.flow.providers as Map<string, typeof second>).set('otherhub', second);
    try {
      const { instanceId, state } = await initiate();
      const response = await callback(`code=good&state=${state}`, {}, 'otherhub');
      expect(await errorOf(response)).toMatchObject({ status: 400, code: 'OAUTH_STATE_SERVICE_MISMATCH' });
      await expectNothingStored(instanceId);
    } finally {
      (h.flow.providers as Map<string, unknown>).delete('otherhub');
    }
  });

  it('access_denied → 400 OAUTH_ACCESS_DENIED', async () => {
    const { instanceId, state } = await initiate();
    const response = await callback(`error=access_denied&error_description=nope&state=${state}`);
    expect(await errorOf(response)).toMatchObject({ status: 400, code: 'OAUTH_ACCESS_DENIED' });
    await expectNothingStored(instanceId);
  });

  it('code rejected by the provider → 400 OAUTH_CODE_REJECTED', async () => {
    const { instanceId, state } = await initiate();
    const response = await callback(`code=rejected&state=${state}`);
    expect(await errorOf(response)).toMatchObject({ status: 400, code: 'OAUTH_CODE_REJECTED' });
    await expectNothingStored(instanceId);
  });

  it.each([
    ['down', 'OAUTH_UPSTREAM_UNAVAILABLE'],
    ['identity', 'OAUTH_IDENTITY_FAILED'],
  ])('code=%s → 502 %s', async (code, errorCode) => {
    const { instanceId, state } = await initiate();
    const response = await callback(`code=${code}&state=${state}`);
    expect(await errorOf(response)).toMatchObject({ status: 502, code: errorCode });
    await expectNothingStored(instanceId);
  });

  it('scrubs a code value from an error message, in JSON and HTML', async () => {
    const code = 'echo-SECRETCODE-987654';
    const json = await callback(`code=${code}&state=${(await initiate()).state}`);
    const jsonText = await json.text();
    expect(json.status).toBe(400);
    expect(jsonText).not.toContain(code);
    expect(jsonText).toContain('[redacted]');
    const html = await callback(`code=${code}&state=${(await initiate()).state}`, { accept: 'text/html' });
    expect(html.status).toBe(400);
    expect(await html.text()).not.toContain(code);
  });

  it('escapes HTML in the failure page', async () => {
    const response = await callback(`error=access_denied&state=<script>alert(1)</script>`, {
      accept: 'text/html',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).not.toContain('<script>');
  });

  it.each(['nope', 'GitHub', "x'%20OR%201=1", 'a'.repeat(70)])(
    'unknown service %s → 404',
    async (service) => {
      const response = await callback('code=good&state=s', {}, service);
      expectCallbackHeaders(response);
      expect(await errorOf(response)).toMatchObject({ status: 404, code: 'OAUTH_SERVICE_UNKNOWN' });
    },
  );

  it('is public: needs no Authorization header, and ignores a wrong one', async () => {
    const { state } = await initiate();
    const response = await callback(`code=good&state=${state}`, { authorization: 'Bearer nonsense' });
    expect(response.status).toBe(200);
  });
});
