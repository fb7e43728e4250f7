import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  CryptoError,
  InstanceError,
  OAuthFlowError,
  RefreshError,
  RevocationError,
  StoreError,
} from '../../src/errors/index.js';
import { mapError } from '../../src/http/error-map.js';
import { HttpError } from '../../src/http/http-error.js';
import { createRouter } from '../../src/http/router.js';
import { isAllowedHost } from '../../src/mcp/host-check.js';
import type { ToolDefinition } from '../../src/mcp/tool.js';
import { selectTools } from '../../src/mcp/tool-filter.js';

describe('createRouter', () => {
  const router = createRouter([
    { method: 'GET', pattern: '/a/:id', handler: 'get' },
    { method: 'DELETE', pattern: '/a/:id', handler: 'delete' },
    { method: 'GET', pattern: '/a/:id/b/:sub', handler: 'sub' },
  ]);

  it('matches and decodes parameters', () => {
    expect(router.match('GET', '/a/x%20y')).toEqual({ kind: 'found', handler: 'get', params: { id: 'x y' } });
    expect(router.match('HEAD', '/a/1')).toMatchObject({ kind: 'found', handler: 'get' });
    expect(router.match('GET', '/a/1/b/2')).toEqual({
      kind: 'found',
      handler: 'sub',
      params: { id: '1', sub: '2' },
    });
  });

  it('reports 405 with the allowed methods, 404 otherwise', () => {
    expect(router.match('POST', '/a/1')).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'DELETE'] });
    expect(router.match('GET', '/a')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/a/')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/a/1/')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/a/%E0%A4%A')).toEqual({ kind: 'not_found' });
  });
});

describe('mapError', () => {
  it.each([
    [new HttpError(413, 'PAYLOAD_TOO_LARGE', 'too big'), 413, 'PAYLOAD_TOO_LARGE'],
    [new OAuthFlowError('OAUTH_STATE_EXPIRED', 'expired'), 400, 'OAUTH_STATE_EXPIRED'],
    [new OAuthFlowError('OAUTH_SERVICE_UNKNOWN', 'unknown'), 404, 'OAUTH_SERVICE_UNKNOWN'],
    [new OAuthFlowError('OAUTH_TOKEN_RESPONSE_INVALID', 'bad'), 502, 'OAUTH_TOKEN_RESPONSE_INVALID'],
    [new InstanceError('INSTANCE_NOT_FOUND', 'x'), 404, 'INSTANCE_NOT_FOUND'],
    [new InstanceError('INSTANCE_INVALID_ID', 'x'), 400, 'INSTANCE_INVALID_ID'],
    [new InstanceError('INSTANCE_EXISTS', 'x'), 409, 'INSTANCE_EXISTS'],
    [new InstanceError('INSTANCE_NEEDS_REAUTH', 'x'), 409, 'INSTANCE_NEEDS_REAUTH'],
    [new StoreError('STORE_UNAVAILABLE', 'host 10.0.0.1 refused'), 503, 'STORE_UNAVAILABLE'],
    [new StoreError('STORE_INVALID_INPUT', 'cursor is bad'), 400, 'INVALID_REQUEST'],
    [new RefreshError('REFRESH_TERMINAL', 'invalid_grant'), 409, 'REFRESH_TERMINAL'],
    [new RevocationError('REVOCATION_FAILED', 'x'), 502, 'REVOCATION_FAILED'],
  ])('maps %o to %i %s', (error, status, code) => {
    expect(mapError(error, 'r1')).toMatchObject({ status, code });
  });

  it('hides infrastructure details of an unavailable store', () => {
    expect(mapError(new StoreError('STORE_UNAVAILABLE', 'host 10.0.0.1 refused'), 'r').message).not.toContain(
      '10.0',
    );
  });

  it('adds Retry-After to transient refresh failures', () => {
    expect(mapError(new RefreshError('REFRESH_TRANSIENT', 'x', { retryAfterMs: 1_001 }), 'r')).toMatchObject({
      status: 503,
      headers: { 'retry-after': '2' },
    });
    expect(mapError(new RefreshError('REFRESH_TRANSIENT', 'x'), 'r').headers['retry-after']).toBe('30');
  });

  it.each([
    new ConfigError('keyRing', 'bad'),
    new CryptoError('CRYPTO_DECRYPT_FAILED', 'tampered'),
    new StoreError('STORE_MIGRATION_FAILED', 'x'),
    new TypeError('token abc is bad'),
    'a string',
  ])('answers a generic 500 for %o', (error) => {
    expect(mapError(error, 'req-9')).toEqual({
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal error (request id req-9).',
      headers: {},
      log: 'error',
    });
  });
});

describe('isAllowedHost', () => {
  const request = (headers: Record<string, string>) => new Request('http://localhost:1/x', { headers });
  it('checks Host exactly or by bare host name, and Origin when present', () => {
    expect(isAllowedHost(request({ host: 'localhost:1' }), ['localhost:1'])).toBe(true);
    expect(isAllowedHost(request({ host: 'LOCALHOST:9' }), ['localhost'])).toBe(true);
    expect(isAllowedHost(request({ host: 'localhost:9' }), ['localhost:1'])).toBe(false);
    expect(
      isAllowedHost(request({ host: 'localhost:1', origin: 'http://localhost:1' }), ['localhost:1']),
    ).toBe(true);
    expect(
      isAllowedHost(request({ host: 'localhost:1', origin: 'https://evil.test' }), ['localhost:1']),
    ).toBe(false);
    expect(isAllowedHost(request({}), ['localhost:1'])).toBe(true);
  });
});

describe('selectTools', () => {
  const tool = (name: string, extra: Partial<ToolDefinition>) =>
    ({ name, toolset: 'a', readOnly: true, scopes: [], ...extra }) as ToolDefinition;
  const tools = [
    tool('read', {}),
    tool('write', { readOnly: false }),
    tool('scoped', { scopes: ['x', 'y'] }),
    tool('other', { toolset: 'b' }),
  ];
  const names = (list: ToolDefinition[]) => list.map((t) => t.name);

  it('filters by read-only, scopes (all required) and toolsets', () => {
    expect(names(selectTools(tools, { readOnly: false, toolsets: null }, ['x']))).toEqual([
      'read',
      'write',
      'other',
    ]);
    expect(names(selectTools(tools, { readOnly: true, toolsets: null }, ['x', 'y']))).toEqual([
      'read',
      'scoped',
      'other',
    ]);
    expect(names(selectTools(tools, { readOnly: false, toolsets: ['b'] }, []))).toEqual(['other']);
    expect(names(selectTools(tools, { readOnly: false, toolsets: [] }, []))).toEqual([]);
  });
});
