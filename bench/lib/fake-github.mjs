/**
 * A minimal, fast fake GitHub for bench/tools-call.mjs (node:http on 127.0.0.1): the OAuth authorize redirect,
 * the token endpoint of an OAuth App (authorization_code grant, non-expiring token, no refresh token) and
 * `GET /api/v3/user` with a prepared body. Enough for the reference server's connect flow and for `get_me`.
 * It counts what it serves so the benchmark can check that every tool call reached it and nothing else did.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

/** The account every token of this fake belongs to. */
export const FAKE_USER = {
  login: 'bench-octocat',
  id: 4_242_424,
  node_id: 'MDQ6VXNlcjQyNDI0MjQ=',
  name: 'Bench Octocat',
  email: null,
  avatar_url: 'https://avatars.example.invalid/u/4242424',
  html_url: 'https://github.example.invalid/bench-octocat',
  type: 'User',
  site_admin: false,
  company: 'mcp-oauth',
  blog: '',
  location: 'Loopback',
  bio: 'Answers GET /user for the tools/call benchmark.',
  public_repos: 12,
  followers: 34,
  following: 5,
  created_at: '2020-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts the fake. `client` is the OAuth App the token endpoint accepts; `staticTokens` are access tokens
 * `GET /user` accepts besides the ones it issues (the bare server's fixed token).
 */
export async function startFakeGitHub({ client, staticTokens = [] }) {
  const tokens = new Set(staticTokens);
  const codes = new Set();
  const counters = { authorize: 0, tokenGrants: 0, user: 0, unauthorized: 0, other: 0 };
  const userBody = Buffer.from(JSON.stringify(FAKE_USER));
  const userHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': userBody.length,
    'x-oauth-scopes': 'read:user',
    'x-github-api-version-selected': '2022-11-28',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3_600),
    'x-ratelimit-used': '1',
    'x-ratelimit-resource': 'core',
  };
  const json = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/api/v3/user') {
        counters.user++;
        const auth = req.headers.authorization ?? '';
        if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) {
          counters.unauthorized++;
          json(res, 401, { message: 'Bad credentials' });
          return;
        }
        res.writeHead(200, userHeaders);
        res.end(userBody);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        counters.authorize++;
        const redirectUri = url.searchParams.get('redirect_uri');
        if (url.searchParams.get('client_id') !== client.clientId || !redirectUri) {
          json(res, 404, { error: 'application not found' });
          return;
        }
        const code = randomBytes(10).toString('hex');
        codes.add(code);
        const location = new URL(redirectUri);
        location.searchParams.set('code', code);
        location.searchParams.set('state', url.searchParams.get('state') ?? '');
        res.writeHead(302, { location: location.href, 'content-length': 0 });
        res.end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        counters.tokenGrants++;
        const body = new URLSearchParams(await readBody(req));
        if (body.get('client_id') !== client.clientId || body.get('client_secret') !== client.clientSecret) {
          json(res, 200, { error: 'incorrect_client_credentials' });
          return;
        }
        if (body.get('grant_type') !== 'authorization_code' || !codes.delete(body.get('code') ?? '')) {
          json(res, 200, { error: 'bad_verification_code' });
          return;
        }
        // An OAuth App token: no expires_in, no refresh token (GitHub answers 200, JSON when asked).
        const accessToken = `gho_bench${randomBytes(16).toString('hex')}`;
        tokens.add(accessToken);
        json(res, 200, { access_token: accessToken, token_type: 'bearer', scope: 'read:user' });
        return;
      }
      counters.other++;
      json(res, 404, { message: 'Not Found' });
    } catch {
      json(res, 500, { message: 'fake GitHub failed' });
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    apiUrl: `${origin}/api/v3`,
    counters,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
