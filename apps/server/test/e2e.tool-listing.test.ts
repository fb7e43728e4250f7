import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type FakeGitHub, startFakeGitHub } from '@org/mcp-oauth-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstance, connectMcpClient, createApiKey, type InitiateBody } from './helpers/connect.js';
import { fakeGitHubEnv } from './helpers/e2e-scenario.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

const WRITE_TOOLS = [
  'add_issue_comment',
  'create_branch',
  'create_issue',
  'create_or_update_file',
  'create_pull_request',
  'merge_pull_request',
  'update_issue',
];

let fake: FakeGitHub;
let server: ServerProcess;
const clients: Client[] = [];

beforeAll(async () => {
  fake = await startFakeGitHub();
  server = await startServerProcess({ env: fakeGitHubEnv(fake) });
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await server?.stop();
  await fake?.close();
});

/** Connects an instance through the real OAuth flow and opens the official MCP client on it. */
async function clientFor(body: Omit<InitiateBody, 'userId'>): Promise<Client> {
  const connected = await connectInstance(server, fake, { userId: `user-${clients.length}`, ...body });
  const { apiKey } = await createApiKey(server, connected.instanceId);
  const client = await connectMcpClient(server, connected.instanceId, apiKey);
  clients.push(client);
  return client;
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

describe('tools/list depends on granted scopes, read-only and toolsets (official SDK client, real server)', () => {
  let full: Client;

  it('a repo + read:user connection lists all 21 tools, write tools included', async () => {
    full = await clientFor({ scopes: ['repo', 'read:user'] });
    const names = await toolNames(full);
    expect(names).toHaveLength(21);
    expect(names).toEqual(expect.arrayContaining(WRITE_TOOLS));
  });

  it('a read:user connection lists only the tools needing no repo scope', async () => {
    const names = await toolNames(await clientFor({ scopes: ['read:user'] }));
    expect(names).toContain('get_me');
    expect(names).toHaveLength(21 - WRITE_TOOLS.length);
    for (const tool of WRITE_TOOLS) expect(names).not.toContain(tool);
  });

  it('a read-only instance lists only read-only tools and a write call fails cleanly', async () => {
    const readOnly = await clientFor({ scopes: ['repo', 'read:user'], readOnly: true });
    const listed = (await readOnly.listTools()).tools;
    expect(listed).toHaveLength(21 - WRITE_TOOLS.length);
    for (const tool of listed) expect(tool.annotations?.readOnlyHint).toBe(true);
    const result = await readOnly.callTool({
      name: 'create_issue',
      arguments: { owner: 'octocat', repo: 'hello-world', title: 'must not be created' },
    });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/Tool create_issue not found/);
  });

  it('toolsets narrow the list', async () => {
    const names = await toolNames(await clientFor({ scopes: ['repo', 'read:user'], toolsets: ['context'] }));
    expect(names).toEqual(['get_me']);
  });
});
