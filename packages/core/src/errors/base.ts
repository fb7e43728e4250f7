/**
 * Base class of every error thrown by mcp-oauth packages.
 *
 * Each subclass narrows `code` to a literal union so `switch (err.code)` is exhaustive.
 * Messages never contain secrets (tokens, client secrets, state values, keys); `cause` is kept
 * but is non-enumerable so structured loggers do not serialise upstream bodies by accident.
 */
export class McpOAuthError<C extends string = string> extends Error {
  /** Stable machine-readable code (SCREAMING_SNAKE). */
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (options && 'cause' in options) {
      Object.defineProperty(this, 'cause', {
        value: options.cause,
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
  }
}

/** Narrows an unknown value to an {@link McpOAuthError} (optionally with a specific code). */
export function isMcpOAuthError<C extends string = string>(
  value: unknown,
  code?: C,
): value is McpOAuthError<C> {
  return value instanceof McpOAuthError && (code === undefined || value.code === code);
}
