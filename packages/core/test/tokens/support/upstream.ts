import type { FetchLike } from '../../../src/util/types.js';

/** A failure the test token endpoint answers with instead of a token. */
export type UpstreamFault =
  | { kind: 'status'; status: number }
  | { kind: 'rate_limit'; retryAfter: string }
  | { kind: 'oauth_error'; error: string }
  | { kind: 'hang' };

/** The origin of the test provider; never dialled — {@link TestUpstream.fetch} answers in process. */
export const UPSTREAM = 'https://testhub.test';
export const CLIENT = { clientId: 'test-client', clientSecret: 'test-client-secret-0123456789' };

/** An RFC 6749 token endpoint in process: rotating single-use refresh tokens, faults, counters. */
export interface TestUpstream {
  fetch: FetchLike;
  /** Refresh-token grants received (answered or not). */
  readonly refreshCalls: number;
  /** Every refresh token presented, oldest first. */
  readonly presented: string[];
  /** Lifetime of issued access tokens. @default 3600 */
  expiresInSeconds: number;
  /** Whether refresh responses carry a new refresh token (and the old one dies). @default true */
  rotate: boolean;
  /** Queues `fault` for the next `times` refresh requests. */
  inject(fault: UpstreamFault, times?: number): void;
  /** Issues a live token pair without a grant (to seed credentials). */
  issue(): { accessToken: string; refreshToken: string };
  /** Revokes a refresh token as if the user disconnected the app. */
  revoke(refreshToken: string): void;
  /** Called after a successful answer was produced, before it is returned (simulate a crash there). */
  afterAnswer: (() => void) | undefined;
  /** One-shot: awaited when the next refresh request arrives, before it is processed (a racing replica). */
  beforeGrant: (() => Promise<void>) | undefined;
  /** Resolves once `count` refresh requests are hanging. */
  hanging(count?: number): Promise<void>;
}

/** Creates a {@link TestUpstream}. */
export function createTestUpstream(): TestUpstream {
  const live = new Set<string>();
  const faults: UpstreamFault[] = [];
  let serial = 0;
  let hangs = 0;
  const hangWaiters: Array<{ count: number; resolve: () => void }> = [];

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    });

  const upstream: TestUpstream = {
    refreshCalls: 0,
    presented: [],
    expiresInSeconds: 3600,
    rotate: true,
    afterAnswer: undefined,
    beforeGrant: undefined,
    inject(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    issue() {
      serial++;
      const pair = {
        accessToken: `at-${serial}-${crypto.randomUUID()}`,
        refreshToken: `rt-${serial}-${crypto.randomUUID()}`,
      };
      live.add(pair.refreshToken);
      return pair;
    },
    revoke(refreshToken) {
      live.delete(refreshToken);
    },
    hanging(count = 1) {
      if (hangs >= count) return Promise.resolve();
      return new Promise((resolve) => hangWaiters.push({ count, resolve }));
    },
    async fetch(input, init) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url !== `${UPSTREAM}/oauth/token`) return new Response('not found', { status: 404 });
      const body = new URLSearchParams(String(init?.body ?? ''));
      if (body.get('grant_type') !== 'refresh_token') return json(400, { error: 'unsupported_grant_type' });
      const before = upstream.beforeGrant;
      if (before !== undefined) {
        upstream.beforeGrant = undefined;
        await before();
      }
      (upstream as { refreshCalls: number }).refreshCalls++;
      const presented = body.get('refresh_token') ?? '';
      upstream.presented.push(presented);
      const fault = faults.shift();
      if (fault?.kind === 'hang') {
        hangs++;
        for (const waiter of hangWaiters.filter((w) => w.count <= hangs)) waiter.resolve();
        return new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
        });
      }
      if (fault?.kind === 'status') return new Response('<html>unavailable</html>', { status: fault.status });
      if (fault?.kind === 'rate_limit') {
        return json(429, { message: 'rate limited' }, { 'retry-after': fault.retryAfter });
      }
      if (fault?.kind === 'oauth_error') return json(400, { error: fault.error });
      if (body.get('client_id') !== CLIENT.clientId || body.get('client_secret') !== CLIENT.clientSecret) {
        return json(401, { error: 'invalid_client' });
      }
      if (!live.has(presented)) return json(400, { error: 'invalid_grant' });
      const next = upstream.issue();
      if (upstream.rotate) live.delete(presented);
      else live.delete(next.refreshToken);
      upstream.afterAnswer?.();
      return json(200, {
        access_token: next.accessToken,
        token_type: 'bearer',
        expires_in: upstream.expiresInSeconds,
        ...(upstream.rotate ? { refresh_token: next.refreshToken } : {}),
        scope: 'read write',
      });
    },
  };
  return upstream;
}
