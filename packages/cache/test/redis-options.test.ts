import { describe, expect, it } from 'vitest';
import { createRedisInvalidationBus, createRedisTokenCache } from '../src/redis/index.js';
import { testKeyRing } from './helpers/fixtures.js';

describe('Redis options are validated before any connection opens', () => {
  it.each([
    ['url', { url: undefined }],
    ['url', { url: 'http://127.0.0.1:6379' }],
    ['connectTimeoutMs', { connectTimeoutMs: 0 }],
    ['commandTimeoutMs', { commandTimeoutMs: 1.5 }],
    ['reconnectMaxDelayMs', { reconnectMaxDelayMs: -5 }],
    ['keyRing', { keyRing: undefined }],
    ['lruMaxEntries', { lruMaxEntries: 0 }],
    ['namespace', { namespace: 'has space' }],
    ['channel', { channel: '' }],
  ])('createRedisTokenCache rejects an invalid %s', (option, override) => {
    const options = {
      url: 'redis://127.0.0.1:1',
      keyRing: testKeyRing(),
      ...override,
    } as unknown as Parameters<typeof createRedisTokenCache>[0];
    expect(() => createRedisTokenCache(options)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID_OPTION', option }),
    );
  });

  it('createRedisInvalidationBus needs a url and a channel', async () => {
    expect(() => createRedisInvalidationBus({ url: 'nope', channel: 'c' })).toThrow(
      expect.objectContaining({ option: 'url' }),
    );
    expect(() => createRedisInvalidationBus({ url: 'redis://127.0.0.1:1', channel: '' })).toThrow(
      expect.objectContaining({ option: 'channel' }),
    );
  });
});
