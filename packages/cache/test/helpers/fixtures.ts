import { type CacheKey, createKeyRing, generateKey, type KeyRing, type Logger } from '@org/mcp-oauth-core';
import type { CacheEntry } from '../../src/index.js';

/** A key ring with one fresh random key. */
export function testKeyRing(id = 'k1'): KeyRing {
  return createKeyRing([{ id, key: generateKey() }]);
}

/** A clock the test moves by hand. */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = Date.UTC(2030, 0, 1)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
  };
}

/** A random short id for names (services, namespaces). */
export function randomId(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12);
}

/** A key of a fresh instance. */
export function newKey(serviceName: string): CacheKey {
  return { serviceName, instanceId: globalThis.crypto.randomUUID() };
}

/** An entry with recognisable, unique secret values (so tests can search stored bytes for them). */
export function makeEntry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  const secret = randomId();
  const iso = new Date(Date.UTC(2030, 0, 1)).toISOString();
  return {
    bearerToken: `gho_access_${secret}`,
    refreshToken: `ghr_refresh_${secret}`,
    expiresAt: Date.UTC(2030, 0, 2),
    user_id: 'user-1',
    last_used: iso,
    refresh_attempts: 0,
    cached_at: iso,
    last_modified: iso,
    status: 'active',
    version: 1,
    grantedScopes: ['repo', 'read:user'],
    tokenType: 'bearer',
    ...overrides,
  };
}

/** A logger that keeps every line (to assert no secret is logged). */
export interface RecordingLogger extends Logger {
  lines: Array<{ level: string; fields: Record<string, unknown>; message: string }>;
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => JSON.stringify(lines),
  };
}

/** A promise plus its resolver. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
