import { describe, expect, it } from 'vitest';
import { RefreshError } from '../../src/errors/index.js';
import { BreakerOpen, createBreakers } from '../../src/tokens/breakers.js';
import { createTokenEvents } from '../../src/tokens/events.js';
import { silentLogger } from '../../src/util/types.js';

function setup(provider = { consecutiveFailures: 3, halfOpenAfterMs: 30_000 }) {
  let now = 1_000_000;
  const events = createTokenEvents();
  const seen: string[] = [];
  events.on('breaker_open', (e) => void seen.push(`open:${e.scope}:${e.instanceId ?? e.serviceName}`));
  events.on('breaker_closed', (e) => void seen.push(`closed:${e.scope}:${e.instanceId ?? e.serviceName}`));
  const breakers = createBreakers({
    now: () => now,
    logger: silentLogger,
    events,
    provider,
    instance: { consecutiveFailures: 10, halfOpenAfterMs: 60_000 },
  });
  return {
    breakers,
    seen,
    advance(ms: number) {
      now += ms;
    },
  };
}

const transient = () => Promise.reject(new RefreshError('REFRESH_TRANSIENT', 'down', { status: 503 }));
const terminal = () =>
  Promise.reject(new RefreshError('REFRESH_TERMINAL', 'revoked', { providerError: 'invalid_grant' }));

describe('breakers on cockatiel, driven by the injected clock', () => {
  it('opens after N consecutive transient failures and refuses without calling until halfOpenAfterMs', async () => {
    const { breakers, seen, advance } = setup();
    for (let i = 0; i < 3; i++)
      await expect(breakers.run('svc', `i${i}`, transient)).rejects.toBeInstanceOf(RefreshError);
    expect(seen).toEqual(['open:provider:svc']);
    let called = 0;
    const call = async () => {
      called++;
      return 'ok';
    };
    const refused = await breakers.run('svc', 'i9', call).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BreakerOpen);
    expect(refused).toMatchObject({ scope: 'provider', retryAfterMs: 30_000 });
    advance(29_999);
    await expect(breakers.run('svc', 'i9', call)).rejects.toMatchObject({ retryAfterMs: 1 });
    expect(called).toBe(0);
    expect(breakers.providerState('svc')).toEqual({ state: 'open', retryAfterMs: 1 });
    advance(1);
    expect(await breakers.run('svc', 'i9', call)).toBe('ok');
    expect(called).toBe(1);
    expect(seen).toEqual(['open:provider:svc', 'closed:provider:svc']);
    expect(breakers.providers()).toEqual({ svc: 'closed' });
  });

  it('terminal failures never count toward a breaker; a success resets the count', async () => {
    const { breakers, seen } = setup();
    for (let i = 0; i < 10; i++)
      await expect(breakers.run('svc', 'i', terminal)).rejects.toMatchObject({ terminal: true });
    await breakers.run('svc', 'i', transient).catch(() => undefined);
    await breakers.run('svc', 'i', transient).catch(() => undefined);
    await breakers.run('svc', 'i', async () => 'ok');
    await breakers.run('svc', 'i', transient).catch(() => undefined);
    await breakers.run('svc', 'i', transient).catch(() => undefined);
    expect(seen).toEqual([]);
    expect(breakers.providerState('svc').state).toBe('closed');
  });

  it('breakers of different providers are independent; healthy instance breakers are forgotten', async () => {
    const { breakers } = setup({ consecutiveFailures: 1, halfOpenAfterMs: 1_000 });
    await breakers.run('a', 'i1', transient).catch(() => undefined);
    expect(breakers.providers()).toEqual({ a: 'open' });
    expect(await breakers.run('b', 'i2', async () => 1)).toBe(1);
    expect(breakers.providers()).toEqual({ a: 'open', b: 'closed' });
    expect(breakers.instanceState('i2')).toEqual({ state: 'closed', retryAfterMs: 0 });
    expect(breakers.openInstances()).toBe(0);
  });
});
