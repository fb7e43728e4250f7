import type { FakeGitHubState } from './types.js';

/** One-shot lifetimes (seconds) of the next GitHub App access tokens, per fake (first in, first out). */
const pending = new WeakMap<FakeGitHubState, number[]>();

/**
 * Makes the next `times` GitHub App access tokens the fake issues (authorization code or refresh grant) expire
 * after `seconds` instead of 8 h; later ones get the normal lifetime again. Use it to hand a client a token
 * that is already within its refresh margin, while the refreshed ones last long.
 *
 * @example
 * ```ts
 * nextAccessTokenExpiresIn(fake, 60); // the token of the next connection is due at once
 * ```
 */
export function nextAccessTokenExpiresIn(fake: { state: FakeGitHubState }, seconds: number, times = 1): void {
  if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError('seconds must be a positive integer');
  const queue = pending.get(fake.state) ?? [];
  for (let i = 0; i < times; i += 1) queue.push(seconds);
  pending.set(fake.state, queue);
}

/** Takes the next one-shot lifetime, or returns `fallback` when none is pending (internal). */
export function takeAccessTokenLifetime(state: FakeGitHubState, fallback: number): number {
  return pending.get(state)?.shift() ?? fallback;
}
