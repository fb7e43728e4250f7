/**
 * How long an upstream asked us to wait, in milliseconds, from `Retry-After` (delta-seconds or HTTP-date) or
 * GitHub's `x-ratelimit-remaining: 0` + `x-ratelimit-reset` (epoch seconds). `undefined` when it did not say.
 */
export function parseRetryAfter(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (headers.get('x-ratelimit-remaining') === '0') {
    const reset = headers.get('x-ratelimit-reset');
    if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  }
  return undefined;
}

/** True when a response is a rate-limit rejection (429, or GitHub's 403 with an exhausted quota). */
export function isRateLimited(status: number, headers: Headers): boolean {
  if (status === 429) return true;
  return status === 403 && (headers.get('x-ratelimit-remaining') === '0' || headers.has('retry-after'));
}
