import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FakeGitHub } from '@org/mcp-oauth-testing';
import { expect } from 'vitest';
import { adminFetch, bearer, expectJsonError, readJson } from './admin-api.js';
import type { ServerProcess } from './server-process.js';

/** Path of the auth-registry routes. */
export const REGISTRY = '/api/v1/auth-registry/auth';

/** An authorization started with `initiate-oauth`. The state value is a secret: never print it. */
export interface InitiatedFlow {
  instanceId: string;
  authorizationUrl: string;
  /** The `state` parameter of the authorization URL. */
  state: string;
}

/** Body of `initiate-oauth` (see core's `initiateOAuthBody`). */
export interface InitiateBody {
  userId: string;
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
  readOnly?: boolean;
  toolsets?: string[] | null;
}

/** `POST initiate-oauth/:service` as the admin; asserts 201 and returns the instance and state. */
export async function initiateOAuth(
  server: ServerProcess,
  body: InitiateBody,
  serviceName = 'github',
): Promise<InitiatedFlow> {
  const response = await adminFetch(server, `${REGISTRY}/initiate-oauth/${serviceName}`, {
    method: 'POST',
    body,
  });
  const json = await readJson<{ instanceId: string; authorizationUrl: string; expiresAt: string }>(response);
  expect(response.status).toBe(201);
  const state = new URL(json.authorizationUrl).searchParams.get('state');
  if (state === null) throw new Error('the authorization URL has no state');
  return { instanceId: json.instanceId, authorizationUrl: json.authorizationUrl, state };
}

/**
 * Lets the fake GitHub approve (or deny, when told so) an authorization and returns where it redirects the
 * browser: the server's own callback URL with `code` (or `error`) and `state`.
 */
export async function approve(server: ServerProcess, fake: FakeGitHub, flow: InitiatedFlow): Promise<URL> {
  const target = await fake.approve(flow.authorizationUrl);
  expect(`${target.origin}${target.pathname}`).toBe(`${server.publicUrl}${REGISTRY}/callback/github`);
  expect(target.searchParams.get('state')).toBe(flow.state);
  return target;
}

/** GETs a callback URL (as a JSON client; the same URL as the browser would). */
export function getCallback(url: URL | string): Promise<Response> {
  return fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual' });
}

/**
 * GETs a callback URL expecting a JSON error with `status` and `code`, no redirect, `Referrer-Policy:
 * no-referrer`, and neither the code nor the state value echoed. Returns those values (secrets to look for).
 */
export async function expectCallbackError(url: URL, status: number, code: string): Promise<string[]> {
  const response = await getCallback(url);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  const { text } = await expectJsonError(response, status, code);
  const values: string[] = [];
  for (const name of ['code', 'state']) {
    const value = url.searchParams.get(name);
    if (value === null || value === '') continue;
    values.push(value);
    expect(text.includes(value), `${name} echoed`).toBe(false);
  }
  return values;
}

/** The callback URL re-pointed at another service (same query). */
export function callbackFor(server: ServerProcess, serviceName: string, from: URL): URL {
  return new URL(`${REGISTRY}/callback/${serviceName}${from.search}`, server.publicUrl);
}

/** A GitHub account connected through the whole authorization-code flow. */
export interface ConnectedInstance extends InitiatedFlow {
  /** The authorization code the fake handed out (secret). */
  code: string;
  /** The callback URL the browser was sent to (carries code and state). */
  callbackUrl: URL;
  login: string;
}

/**
 * initiate-oauth → the fake approves → GET the server's callback → asserts `200 {status: 'active'}` and the
 * instance is `active` in the admin API.
 */
export async function connectInstance(
  server: ServerProcess,
  fake: FakeGitHub,
  body: InitiateBody,
): Promise<ConnectedInstance> {
  const flow = await initiateOAuth(server, body);
  const callbackUrl = await approve(server, fake, flow);
  const code = callbackUrl.searchParams.get('code');
  if (code === null) throw new Error('the fake redirected without a code');
  const response = await getCallback(callbackUrl);
  const json = await readJson<{ instanceId: string; status: string; login: string }>(response);
  expect(response.status).toBe(200);
  expect(json).toMatchObject({ instanceId: flow.instanceId, serviceName: 'github', status: 'active' });
  const instance = await readJson(await adminFetch(server, `/api/v1/instances/${flow.instanceId}`));
  expect(instance).toMatchObject({
    instanceId: flow.instanceId,
    status: 'active',
    upstreamLogin: json.login,
  });
  return { ...flow, code, callbackUrl, login: json.login };
}

/** `POST /api/v1/instances/:id/api-keys` → the key (shown once; secret). */
export async function createApiKey(
  server: ServerProcess,
  instanceId: string,
): Promise<{ keyId: string; apiKey: string }> {
  const response = await adminFetch(server, `/api/v1/instances/${instanceId}/api-keys`, {
    method: 'POST',
    body: { name: 'e2e' },
  });
  const json = await readJson<{ keyId: string; apiKey: string }>(response);
  expect(response.status).toBe(201);
  expect(response.headers.get('cache-control')).toContain('no-store');
  expect(json.apiKey).toMatch(/^mcpk_/);
  return { keyId: json.keyId, apiKey: json.apiKey };
}

/** Connects the official MCP SDK client to `/:instanceId/mcp` with an instance API key. Close it when done. */
export async function connectMcpClient(
  server: ServerProcess,
  instanceId: string,
  apiKey: string,
): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/${instanceId}/mcp`), {
    requestInit: { headers: bearer(apiKey) },
  });
  const client = new Client({ name: 'mcp-oauth-e2e', version: '0.0.0' });
  await client.connect(transport);
  return client;
}
