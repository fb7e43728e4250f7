import { describe, expect, it } from 'vitest';
import {
  cacheKeyOf,
  createLocalInvalidationHub,
  parseCacheKey,
  parseInvalidationMessage,
} from '../src/index.js';

describe('cacheKeyOf', () => {
  it('namespaces entries per service and instance', () => {
    const a = cacheKeyOf({ serviceName: 'github', instanceId: '7d1f0c1e-52a4-4c47-9a5a-3c1a5f2f4d11' });
    const b = cacheKeyOf({ serviceName: 'google', instanceId: '7d1f0c1e-52a4-4c47-9a5a-3c1a5f2f4d11' });
    expect(a).toBe('mcp-oauth:github:7d1f0c1e-52a4-4c47-9a5a-3c1a5f2f4d11');
    expect(a).not.toBe(b);
    expect(cacheKeyOf({ serviceName: 'github', instanceId: 'x' }, 'tenant-1')).toBe('tenant-1:github:x');
  });

  it('encodes separators and glob characters so keys cannot collide or widen a scan', () => {
    const key = { serviceName: 'a:b*c', instanceId: 'd[e]?' };
    const storeKey = cacheKeyOf(key);
    expect(storeKey).toBe('mcp-oauth:a%3Ab%2Ac:d%5Be%5D%3F');
    expect(parseCacheKey(storeKey)).toEqual(key);
    expect(parseCacheKey('mcp-oauth:only-one-part')).toBeUndefined();
    expect(parseCacheKey('other:github:x')).toBeUndefined();
  });
});

describe('invalidation messages', () => {
  it('validates what a transport delivers', () => {
    expect(parseInvalidationMessage({ kind: 'all', origin: 'x' })).toEqual({ kind: 'all', origin: 'x' });
    expect(parseInvalidationMessage({ kind: 'service', origin: 'x', serviceName: 'github' })).toBeDefined();
    expect(
      parseInvalidationMessage({
        kind: 'instances',
        origin: 'x',
        instances: [{ serviceName: 'github', instanceId: 'i', extra: 'dropped' }],
      }),
    ).toEqual({ kind: 'instances', origin: 'x', instances: [{ serviceName: 'github', instanceId: 'i' }] });
    expect(parseInvalidationMessage({ kind: 'revoked', origin: 'x', instanceId: 'i', keyId: null })).toEqual({
      kind: 'revoked',
      origin: 'x',
      instanceId: 'i',
      keyId: null,
    });
    expect(
      parseInvalidationMessage({ kind: 'revoked', origin: 'x', instanceId: 'i', keyId: 'k' }),
    ).toMatchObject({
      keyId: 'k',
    });
    for (const junk of [
      { kind: 'revoked', origin: 'x', keyId: null },
      { kind: 'revoked', origin: 'x', instanceId: 'i', keyId: 3 },
      { kind: 'revoked', origin: 'x', instanceId: 'i' },
      null,
      'x',
      { kind: 'all' },
      { kind: 'nope', origin: 'x' },
      { kind: 'instances', origin: 'x' },
    ]) {
      expect(parseInvalidationMessage(junk)).toBeUndefined();
    }
  });

  it('a local hub delivers to every subscribed bus until it closes', async () => {
    const hub = createLocalInvalidationHub();
    const a = hub.bus();
    const b = hub.bus();
    const received: string[] = [];
    await a.subscribe((m) => received.push(`a:${m.kind}`));
    await b.subscribe((m) => received.push(`b:${m.kind}`));
    await a.publish({ kind: 'all', origin: 'test' });
    await b.close();
    await a.publish({ kind: 'all', origin: 'test' });
    expect(received).toEqual(['a:all', 'b:all', 'a:all']);
  });
});
