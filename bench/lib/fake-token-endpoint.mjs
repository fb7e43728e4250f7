/**
 * A minimal OAuth 2 token endpoint over real HTTP on 127.0.0.1 (node:http), for the refresh storm: the
 * `refresh_token` grant with rotating, single-use refresh tokens (like GitHub Apps), `client_secret_post`
 * client authentication, an optional answer delay, and counters of what it received.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts the endpoint. `delayMs` is how long a grant takes to answer (the refresh token is consumed on
 * arrival, as a provider does, so a second use during the delay fails with `invalid_grant`).
 */
export async function startFakeTokenEndpoint({ client, delayMs = 0, expiresInSeconds = 3_600 }) {
  const live = new Set();
  let serial = 0;
  let last;
  const counters = { refreshGrants: 0, issued: 0, invalidGrant: 0, invalidClient: 0, otherRequests: 0 };

  const issue = () => {
    serial++;
    const pair = {
      accessToken: `bench-at-${serial}-${randomUUID()}`,
      refreshToken: `bench-rt-${serial}-${randomUUID()}`,
    };
    live.add(pair.refreshToken);
    last = pair;
    return pair;
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'POST' || url.pathname !== '/oauth/token') {
        counters.otherRequests++;
        json(res, 404, { error: 'not_found' });
        return;
      }
      const body = new URLSearchParams(await readBody(req));
      if (body.get('grant_type') !== 'refresh_token') {
        counters.otherRequests++;
        json(res, 400, { error: 'unsupported_grant_type' });
        return;
      }
      counters.refreshGrants++;
      if (body.get('client_id') !== client.clientId || body.get('client_secret') !== client.clientSecret) {
        counters.invalidClient++;
        json(res, 401, { error: 'invalid_client' });
        return;
      }
      const presented = body.get('refresh_token') ?? '';
      const valid = live.delete(presented);
      const next = valid ? issue() : undefined;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (!valid) {
        counters.invalidGrant++;
        json(res, 400, {
          error: 'invalid_grant',
          error_description: 'refresh token already used or revoked',
        });
        return;
      }
      counters.issued++;
      json(res, 200, {
        access_token: next.accessToken,
        token_type: 'bearer',
        expires_in: expiresInSeconds,
        refresh_token: next.refreshToken,
        scope: 'read',
      });
    } catch {
      json(res, 500, { error: 'server_error' });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    counters,
    /** Issues a live token pair without a grant (to seed a credential). */
    issue,
    /** The pair issued last. */
    get lastIssued() {
      return last;
    },
    resetCounters() {
      for (const name of Object.keys(counters)) counters[name] = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
