/**
 * The baseline of bench/tools-call.mjs: a bare `@modelcontextprotocol/sdk` Streamable HTTP server on node:http,
 * stateless (no session), JSON responses, one `McpServer` + transport per request (the SDK's recommended
 * stateless pattern), with one tool, `get_me`, that calls the same fake upstream `GET /user` with a fixed token
 * and returns the same structured output as ours. No auth, no database, no token cache.
 *
 * Run as a child process (with bench/lib/register.mjs): `node --import register.mjs bare-mcp-server.mjs`.
 * Environment: `BARE_API_URL` (the fake's API base), `BARE_TOKEN` (the fixed access token),
 * `BARE_TRANSPORT` = `node` (StreamableHTTPServerTransport, the default) or `web`
 * (WebStandardStreamableHTTPServerTransport behind a minimal node → Request adapter).
 * Prints one JSON line `{"listening": url}` on stdout when ready; exits on SIGTERM.
 */
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';

const apiUrl = process.env.BARE_API_URL;
const token = process.env.BARE_TOKEN;
const mode = process.env.BARE_TRANSPORT === 'web' ? 'web' : 'node';
if (!apiUrl || !token) throw new Error('BARE_API_URL and BARE_TOKEN are required');

const str = z.string().nullable();
const int = z.number().int().nullable();
const outputSchema = {
  login: z.string(),
  id: z.number().int(),
  node_id: str,
  name: str,
  email: str,
  avatar_url: str,
  html_url: str,
  type: str,
  site_admin: z.boolean().nullable(),
  company: str,
  blog: str,
  location: str,
  bio: str,
  public_repos: int,
  followers: int,
  following: int,
  created_at: str,
  updated_at: str,
};
const text = (value) => (typeof value === 'string' ? value : null);
const count = (value) => (typeof value === 'number' && Number.isInteger(value) ? value : null);

function createMcpServer() {
  const server = new McpServer({ name: 'bare-github', version: '0.0.0' }, { capabilities: { tools: {} } });
  server.registerTool(
    'get_me',
    {
      title: 'Get my GitHub profile',
      description: 'Get the GitHub profile of the authenticated user.',
      inputSchema: {},
      outputSchema,
      annotations: { title: 'Get my GitHub profile', readOnlyHint: true, openWorldHint: true },
    },
    async (_args, extra) => {
      const response = await fetch(`${apiUrl}/user`, {
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'bare-mcp',
          authorization: `Bearer ${token}`,
        },
        signal: extra.signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        return { isError: true, content: [{ type: 'text', text: `GitHub answered ${response.status}` }] };
      }
      const data = await response.json();
      const structured = {
        login: String(data.login),
        id: Number(data.id),
        node_id: text(data.node_id),
        name: text(data.name),
        email: text(data.email),
        avatar_url: text(data.avatar_url),
        html_url: text(data.html_url),
        type: text(data.type),
        site_admin: typeof data.site_admin === 'boolean' ? data.site_admin : null,
        company: text(data.company),
        blog: text(data.blog),
        location: text(data.location),
        bio: text(data.bio),
        public_repos: count(data.public_repos),
        followers: count(data.followers),
        following: count(data.following),
        created_at: text(data.created_at),
        updated_at: text(data.updated_at),
      };
      return {
        structuredContent: structured,
        content: [{ type: 'text', text: JSON.stringify(structured, null, 2) }],
      };
    },
  );
  return server;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function fail(res, status, message) {
  if (res.headersSent) return;
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** `StreamableHTTPServerTransport` with a pre-parsed body (as after `express.json()`). */
async function handleNode(req, res) {
  const body = await readBody(req);
  const server = createMcpServer();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on('close', () => {
    transport.close().catch(() => {});
    server.close().catch(() => {});
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, JSON.parse(body.toString('utf8')));
}

/** `WebStandardStreamableHTTPServerTransport` behind a minimal node → `Request` → node adapter. */
async function handleWeb(req, res) {
  const body = await readBody(req);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
  });
  const server = createMcpServer();
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  try {
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    const out = Buffer.from(await response.arrayBuffer());
    const outHeaders = Object.fromEntries(response.headers);
    outHeaders['content-length'] = String(out.length);
    res.writeHead(response.status, outHeaders);
    res.end(out);
  } finally {
    await server.close().catch(() => {});
  }
}

const handle = mode === 'web' ? handleWeb : handleNode;
const http = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
  handle(req, res).catch((error) => fail(res, 500, error instanceof Error ? error.name : 'Error'));
});
http.listen(0, '127.0.0.1', () => {
  const { port } = http.address();
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${port}`, mode })}\n`);
});
process.on('SIGTERM', () => {
  http.closeAllConnections();
  http.close(() => process.exit(0));
});
