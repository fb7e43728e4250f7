import type { Logger } from '@org/mcp-oauth-core';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import type { LogLevel } from './config.js';

const SECRET_KEYS = [
  'authorization',
  'cookie',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'adminToken',
  'apiKey',
  'api_key',
  'secret',
  'clientSecret',
  'client_secret',
  'password',
  'encryptionKeys',
  'codeVerifier',
  'code_verifier',
  'code',
  'state',
] as const;

/**
 * Paths pino redacts: each secret-looking key at the top level and one level down, plus request and response
 * headers. Logging code must still never pass secrets; this is the safety net.
 */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

const CENSORED = '[Redacted]';
const ERROR_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * Keeps our own error codes (`err.code: 'OAUTH_STATE_UNKNOWN'`, `ECONNREFUSED`) readable while redacting
 * authorization codes, which providers issue as lowercase or mixed-case opaque strings.
 */
function censor(value: unknown, path: string[]): unknown {
  if (path.at(-1) === 'code' && typeof value === 'string' && value.length <= 64 && ERROR_CODE.test(value)) {
    return value;
  }
  return CENSORED;
}

/** Options of {@link createPinoLogger}. */
export interface PinoLoggerOptions {
  level: LogLevel;
  /** Where JSON lines go. @default stdout (synchronous, so nothing is lost on exit) */
  destination?: DestinationStream;
}

/**
 * The server's pino logger: JSON lines with secrets redacted.
 *
 * @example
 * ```ts
 * const log = createPinoLogger({ level: 'info' });
 * log.info({ url }, 'listening');
 * ```
 */
export function createPinoLogger(options: PinoLoggerOptions): PinoLogger {
  return pino(
    {
      level: options.level,
      base: { name: 'mcp-oauth-server' },
      redact: { paths: [...REDACT_PATHS], censor },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** Adapts a pino logger to core's {@link Logger} port (`fields`, `message`). */
export function toCoreLogger(log: PinoLogger): Logger {
  return {
    debug: (fields, message) => log.debug(fields, message),
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
  };
}
