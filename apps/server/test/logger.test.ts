import { describe, expect, it } from 'vitest';
import { createPinoLogger, toCoreLogger } from '../src/logger.js';

function capture(): {
  lines: () => Array<Record<string, unknown>>;
  raw: () => string;
  write(line: string): void;
} {
  const chunks: string[] = [];
  return {
    write: (line) => {
      chunks.push(line);
    },
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createPinoLogger', () => {
  it('redacts tokens, secrets, authorization headers, codes and states', () => {
    const out = capture();
    const log = toCoreLogger(createPinoLogger({ level: 'info', destination: out }));
    log.info(
      {
        headers: {
          authorization: 'Bearer admin-secret-1',
          cookie: 'sid=cookie-secret-2',
          accept: 'application/json',
        },
        clientSecret: 'client-secret-3',
        token: 'token-secret-4',
        upstream: {
          accessToken: 'access-secret-5',
          refreshToken: 'refresh-secret-6',
          code: 'a1b2c3d4e5f6authcode',
          state: 'state-secret-7',
          client_secret: 'client-secret-8',
        },
        req: { headers: { authorization: 'Bearer api-key-secret-9' } },
        instanceId: '8b3e2a4c-1111-4222-8333-944455556666',
      },
      'callback handled',
    );
    const raw = out.raw();
    for (const secret of [
      'admin-secret-1',
      'cookie-secret-2',
      'client-secret-3',
      'token-secret-4',
      'access-secret-5',
    ]) {
      expect(raw).not.toContain(secret);
    }
    for (const secret of [
      'refresh-secret-6',
      'a1b2c3d4e5f6authcode',
      'state-secret-7',
      'client-secret-8',
      'api-key-secret-9',
    ]) {
      expect(raw).not.toContain(secret);
    }
    const [line] = out.lines();
    expect(line).toMatchObject({
      msg: 'callback handled',
      level: 30,
      instanceId: '8b3e2a4c-1111-4222-8333-944455556666',
      headers: { authorization: '[Redacted]', accept: 'application/json' },
      upstream: { code: '[Redacted]', state: '[Redacted]' },
    });
  });

  it('keeps error codes readable', () => {
    const out = capture();
    const log = toCoreLogger(createPinoLogger({ level: 'info', destination: out }));
    const error = Object.assign(new Error('state unknown'), { code: 'OAUTH_STATE_UNKNOWN' });
    log.warn({ err: error, code: 'ECONNREFUSED' }, 'callback failed');
    const [line] = out.lines();
    expect(line).toMatchObject({
      msg: 'callback failed',
      code: 'ECONNREFUSED',
      err: { code: 'OAUTH_STATE_UNKNOWN' },
    });
  });

  it('honours the level and passes fields and message through the core adapter', () => {
    const out = capture();
    const log = toCoreLogger(createPinoLogger({ level: 'warn', destination: out }));
    log.debug({ a: 1 }, 'hidden debug');
    log.info({ a: 2 }, 'hidden info');
    log.warn({ a: 3 }, 'shown warn');
    log.error({ a: 4 }, 'shown error');
    expect(out.lines().map((line) => [line.level, line.a, line.msg])).toEqual([
      [40, 3, 'shown warn'],
      [50, 4, 'shown error'],
    ]);
  });
});
