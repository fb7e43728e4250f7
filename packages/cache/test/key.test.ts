import { describe, expect, it } from 'vitest';
import { cacheKeyOf } from '../src/index.js';

describe('cacheKeyOf', () => {
  it('namespaces entries per service and instance', () => {
    const a = cacheKeyOf({ serviceName: 'github', instanceId: '7d1f0c1e-52a4-4c47-9a5a-3c1a5f2f4d11' });
    const b = cacheKeyOf({ serviceName: 'google', instanceId: '7d1f0c1e-52a4-4c47-9a5a-3c1a5f2f4d11' });
    expect(a).toBe('mcp-oauth:github:7d1f0c1e-52a4-4c47-9a5a-3c1a5f2f4d11');
    expect(a).not.toBe(b);
  });
});
