/** The `fetch` signature the engine uses; inject your own for tests, proxies or instrumentation. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Milliseconds since the epoch. Injected so tests control time. */
export type Clock = () => number;

/** Minimal structured logger (pino-compatible). Never pass secrets in `fields`. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
