import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { RefreshError } from '../src/errors/index.js';
import { classifyRefreshFailure, TERMINAL_REFRESH_ERRORS } from '../src/oauth/classify.js';
import { isRateLimited, parseRetryAfter } from '../src/oauth/retry-after.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');

async function bodyError(status: number, body: Record<string, string>, headers: Record<string, string> = {}) {
  const response = new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const as = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' };
  try {
    await oauth.processRefreshTokenResponse(as, { client_id: 'c' }, response);
  } catch (error) {
    return { error, info: { status, headers: new Headers(headers) } };
  }
  throw new Error('expected oauth4webapi to throw');
}

describe('classifyRefreshFailure', () => {
  for (const code of ['invalid_grant', 'bad_refresh_token', 'unauthorized_client', 'invalid_client']) {
    it(`treats ${code} as terminal`, async () => {
      const { error, info } = await bodyError(400, {
        error: code,
        error_description: 'secret-ish description',
      });
      const failure = classifyRefreshFailure(error, info, NOW);
      expect(failure).toBeInstanceOf(RefreshError);
      expect(failure.code).toBe('REFRESH_TERMINAL');
      expect(failure.terminal).toBe(true);
      expect(failure.providerError).toBe(code);
      expect(TERMINAL_REFRESH_ERRORS.has(code)).toBe(true);
    });
  }

  it('treats 5xx as transient and keeps the status', async () => {
    const { error, info } = await bodyError(503, { error: 'temporarily_unavailable' });
    const failure = classifyRefreshFailure(error, info, NOW);
    expect(failure.code).toBe('REFRESH_TRANSIENT');
    expect(failure.status).toBe(503);
  });

  it('treats 429 with Retry-After as transient and reads the delay', async () => {
    const { error, info } = await bodyError(429, { error: 'slow_down' }, { 'retry-after': '42' });
    const failure = classifyRefreshFailure(error, info, NOW);
    expect(failure.code).toBe('REFRESH_TRANSIENT');
    expect(failure.retryAfterMs).toBe(42_000);
  });

  it('treats a network failure and a timeout as transient', () => {
    const network = classifyRefreshFailure(new TypeError('fetch failed'), undefined, NOW);
    expect(network.code).toBe('REFRESH_TRANSIENT');
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyRefreshFailure(timeout, undefined, NOW).code).toBe('REFRESH_TRANSIENT');
  });

  it('does not echo an unsafe provider error value', async () => {
    const { error, info } = await bodyError(400, { error: 'invalid_grant<script>ghr_secret' });
    const failure = classifyRefreshFailure(error, info, NOW);
    expect(failure.code).toBe('REFRESH_TRANSIENT');
    expect(failure.message).not.toContain('ghr_secret');
    expect(failure.providerError).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '120' }), NOW)).toBe(120_000);
  });
  it('reads an HTTP-date', () => {
    const at = new Date(NOW + 30_000).toUTCString();
    expect(parseRetryAfter(new Headers({ 'retry-after': at }), NOW)).toBe(30_000);
  });
  it('reads GitHub rate-limit reset when the quota is exhausted', () => {
    const headers = new Headers({
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(NOW / 1000 + 60),
    });
    expect(parseRetryAfter(headers, NOW)).toBe(60_000);
    expect(isRateLimited(403, headers)).toBe(true);
  });
  it('returns undefined without a hint, and a 403 without quota headers is not a rate limit', () => {
    expect(parseRetryAfter(new Headers(), NOW)).toBeUndefined();
    expect(isRateLimited(403, new Headers())).toBe(false);
  });
});
