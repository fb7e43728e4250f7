import type { Logger, TokenEventName, TokenEventSource, TokenEvents } from '@org/mcp-oauth-core';

/** How loudly each token lifecycle event is logged. */
const LEVELS: Readonly<Record<TokenEventName, 'debug' | 'info' | 'warn'>> = {
  expiring: 'debug',
  refreshed: 'info',
  refresh_failed: 'warn',
  needs_reauth: 'warn',
  expired: 'warn',
  breaker_open: 'warn',
  breaker_closed: 'info',
};

/** Dates as ISO strings; every other field is already log-safe (ids, service names, codes, counts). */
function fieldsOf(event: TokenEvents[TokenEventName]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).map(([name, value]) => [name, value instanceof Date ? value.toISOString() : value]),
  );
}

/**
 * Logs every token lifecycle event as `{"msg":"token event","event":"refreshed",…}` (`refresh_failed`,
 * `needs_reauth`, `expired` and `breaker_open` at warn). Events carry instance ids, service names, error codes
 * and timings — never a token. Returns a function that unsubscribes.
 *
 * @example
 * ```ts
 * const stop = logTokenEvents(events, logger);
 * ```
 */
export function logTokenEvents(events: TokenEventSource, logger: Logger): () => void {
  const stops = (Object.keys(LEVELS) as TokenEventName[]).map((name) =>
    events.on(name, (event) => {
      logger[LEVELS[name]]({ event: name, ...fieldsOf(event) }, 'token event');
    }),
  );
  return () => {
    for (const stop of stops) stop();
  };
}
