import { isMcpOAuthError, parseKeyRingSpec } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { type ConfigProblem, ServerConfigError } from './errors.js';

/** pino levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A `LOG_LEVEL` value. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The per-instance token bucket of MCP `tools/call`, in the terms of core's `toolRateLimit` option. */
export interface ToolRateLimitConfig {
  /** `TOOL_RATE_LIMIT_BURST`: calls a full bucket allows at once. @default 30 */
  capacity: number;
  /** `TOOL_RATE_LIMIT_PER_SECOND`: calls per second added back. @default 1 */
  refillPerSecond: number;
}

/** OAuth client credentials of the host for one provider (both set or the whole value is `null`). */
export interface DefaultClient {
  clientId: string;
  clientSecret: string;
}

/**
 * Configuration of the reference server, read once from the environment (ARCHITECTURE.md §5).
 * Holds secrets (`adminToken`, `encryptionKeys`, client secrets): never log it; use {@link describeConfig}.
 */
export interface ServerConfig {
  /** `PORT`; `0` picks a free port. @default 49296 */
  port: number;
  /** `HOST`. @default '127.0.0.1' */
  host: string;
  /**
   * `PUBLIC_URL` without a trailing slash. `undefined` means the default `http://localhost:<port>`, resolved
   * against the bound port by {@link resolvePublicUrl} (so `PORT=0` works).
   */
  publicUrl: string | undefined;
  /** `DATABASE_URL`; `null` selects embedded PGlite under `dataDir`. */
  databaseUrl: string | null;
  /** `DATA_DIR`. @default './.data' */
  dataDir: string;
  /** `REDIS_URL`; `null` selects the in-process cache. */
  redisUrl: string | null;
  /** `ENCRYPTION_KEYS` (`kid:base64,…`); `null` only without `databaseUrl` (a dev key is generated). */
  encryptionKeys: string | null;
  /** `ADMIN_TOKEN`; `null` only without `databaseUrl` (a dev token is generated). */
  adminToken: string | null;
  /** `LOG_LEVEL`. @default 'info' */
  logLevel: LogLevel;
  /**
   * Per-instance limit of MCP tool calls; `null` when `TOOL_RATE_LIMIT_PER_SECOND=off`. Shared by every replica
   * through Redis when `redisUrl` is set, else per process. @default { capacity: 30, refillPerSecond: 1 }
   */
  toolRateLimit: ToolRateLimitConfig | null;
  /**
   * `MCP_SESSIONS` (`on`/`off`): stateful MCP sessions (sampling, elicitation, resource subscriptions). Sessions
   * live in one process: behind a load balancer, route on `Mcp-Session-Id` or turn them off. @default true
   */
  mcpSessions: boolean;
  github: {
    /** `GITHUB_CLIENT_ID` + `GITHUB_CLIENT_SECRET`. */
    defaultClient: DefaultClient | null;
    /** `GITHUB_URL`. @default 'https://github.com' */
    url: string;
    /** `GITHUB_API_URL`. @default 'https://api.github.com', or `${GITHUB_URL}/api/v3` for Enterprise Server */
    apiUrl: string;
  };
  google: {
    /** `GOOGLE_CLIENT_ID` + `GOOGLE_CLIENT_SECRET`. */
    defaultClient: DefaultClient | null;
    /** `GOOGLE_AUTH_URL`. @default 'https://accounts.google.com/o/oauth2/v2/auth' */
    authUrl: string;
    /** `GOOGLE_TOKEN_URL`. @default 'https://oauth2.googleapis.com/token' */
    tokenUrl: string;
    /** `GOOGLE_REVOKE_URL`. @default 'https://oauth2.googleapis.com/revoke' */
    revokeUrl: string;
    /** `GOOGLE_API_URL`. @default 'https://www.googleapis.com' */
    apiUrl: string;
  };
}

/** Hosts for which `http://` upstream URLs are accepted (test fakes). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when `url` is an `http://` URL on a loopback host. */
export function isInsecureLoopbackUrl(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed !== null && parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname);
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** An optional variable; an empty string counts as unset. Messages never include the value. */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToUndefined, schema.optional());
}

function fail(ctx: z.RefinementCtx, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

const portSchema = z.string().transform((value, ctx) => {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port > 65_535) {
    return fail(ctx, 'must be an integer between 0 and 65535');
  }
  return port;
});

/** An absolute http(s) URL without query, fragment or credentials; trailing slashes removed. */
function urlSchema(options: { httpsUnlessLoopback: boolean }) {
  return z.string().transform((value, ctx) => {
    const url = URL.parse(value.trim());
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      return fail(ctx, 'must be an absolute http:// or https:// URL');
    }
    if (url.username || url.password || url.search || url.hash) {
      return fail(ctx, 'must not contain credentials, a query or a fragment');
    }
    if (options.httpsUnlessLoopback && url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      return fail(ctx, 'must use https:// (http:// is accepted only for localhost, 127.0.0.1 and [::1])');
    }
    return url.href.replace(/\/+$/, '');
  });
}

const upstreamUrl = urlSchema({ httpsUnlessLoopback: true });

const burstSchema = z.string().transform((value, ctx) => {
  const burst = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(burst) || burst < 1) {
    return fail(ctx, 'must be a whole number of calls, at least 1');
  }
  return burst;
});

/** A positive decimal (`0.5` allowed: one call every two seconds), or `off`, which disables the limit. */
const perSecondSchema = z.string().transform((value, ctx): number | 'off' => {
  const text = value.trim();
  if (text.toLowerCase() === 'off') return 'off';
  const rate = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(rate) || rate <= 0) {
    return fail(ctx, 'must be a positive number of calls per second (e.g. 1 or 0.5), or off');
  }
  return rate;
});

/** `kid:base64key,…`, validated by core's parser; its messages name a key id or position, never key material. */
const keyRingSchema = z.string().transform((value, ctx) => {
  try {
    parseKeyRingSpec(value);
  } catch (error) {
    return fail(ctx, isMcpOAuthError(error) ? `is invalid: ${error.message}` : 'is invalid');
  }
  return value.trim();
});

const schema = z.object({
  PORT: optional(portSchema),
  HOST: optional(z.string().regex(/^[^\s/]+$/, { error: 'must be a host name or IP address' })),
  PUBLIC_URL: optional(urlSchema({ httpsUnlessLoopback: false })),
  DATABASE_URL: optional(
    z.string().regex(/^postgres(ql)?:\/\/\S+$/i, { error: 'must be a postgres:// or postgresql:// URL' }),
  ),
  DATA_DIR: optional(z.string()),
  REDIS_URL: optional(
    z.string().regex(/^rediss?:\/\/\S+$/i, { error: 'must be a redis:// or rediss:// URL' }),
  ),
  ENCRYPTION_KEYS: optional(keyRingSchema),
  ADMIN_TOKEN: optional(
    z
      .string()
      .min(32, { error: 'must be at least 32 characters long' })
      .regex(/^[A-Za-z0-9\-._~+/]+=*$/, {
        error: 'must use only bearer-token characters (A-Z a-z 0-9 - . _ ~ + / and trailing =)',
      }),
  ),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
  TOOL_RATE_LIMIT_BURST: optional(burstSchema),
  TOOL_RATE_LIMIT_PER_SECOND: optional(perSecondSchema),
  MCP_SESSIONS: optional(
    z
      .string()
      .transform((value) => value.trim().toLowerCase())
      .pipe(z.enum(['on', 'off'], { error: 'must be on or off' })),
  ),
  GITHUB_CLIENT_ID: optional(z.string()),
  GITHUB_CLIENT_SECRET: optional(z.string()),
  GITHUB_URL: optional(upstreamUrl),
  GITHUB_API_URL: optional(upstreamUrl),
  GOOGLE_CLIENT_ID: optional(z.string()),
  GOOGLE_CLIENT_SECRET: optional(z.string()),
  GOOGLE_AUTH_URL: optional(upstreamUrl),
  GOOGLE_TOKEN_URL: optional(upstreamUrl),
  GOOGLE_REVOKE_URL: optional(upstreamUrl),
  GOOGLE_API_URL: optional(upstreamUrl),
});

/** Cross-variable rules, checked on the raw environment so every problem is reported at once. */
function crossChecks(env: Record<string, string | undefined>): ConfigProblem[] {
  const has = (name: string) => blankToUndefined(env[name]) !== undefined;
  const problems: ConfigProblem[] = [];
  if (has('DATABASE_URL')) {
    for (const variable of ['ENCRYPTION_KEYS', 'ADMIN_TOKEN']) {
      if (!has(variable)) {
        problems.push({
          variable,
          message:
            'is required when DATABASE_URL is set (generated dev secrets are only used with embedded PGlite)',
        });
      }
    }
  }
  if (has('TOOL_RATE_LIMIT_BURST') && env.TOOL_RATE_LIMIT_PER_SECOND?.trim().toLowerCase() === 'off') {
    problems.push({
      variable: 'TOOL_RATE_LIMIT_BURST',
      message: 'has no effect while TOOL_RATE_LIMIT_PER_SECOND is off (unset one of them)',
    });
  }
  for (const prefix of ['GITHUB', 'GOOGLE']) {
    if (has(`${prefix}_CLIENT_ID`) !== has(`${prefix}_CLIENT_SECRET`)) {
      const [present, missing] = has(`${prefix}_CLIENT_ID`) ? ['ID', 'SECRET'] : ['SECRET', 'ID'];
      problems.push({
        variable: `${prefix}_CLIENT_${missing}`,
        message: `must be set together with ${prefix}_CLIENT_${present}`,
      });
    }
  }
  return problems;
}

function client(id: string | undefined, secret: string | undefined): DefaultClient | null {
  return id && secret ? { clientId: id, clientSecret: secret } : null;
}

/** Defaults: 30 calls at once, then 1 per second (3 600 an hour, under GitHub's 5 000 per user and hour). */
function toolRateLimit(
  burst: number | undefined,
  perSecond: number | 'off' | undefined,
): ToolRateLimitConfig | null {
  if (perSecond === 'off') return null;
  return { capacity: burst ?? 30, refillPerSecond: perSecond ?? 1 };
}

/**
 * Reads and validates the server configuration from an environment object. Pure: pass `process.env` once
 * at start-up, or a literal in tests.
 *
 * @throws ServerConfigError `SERVER_CONFIG_INVALID` listing every problem; messages name the variable and never
 *   contain its value.
 * @example
 * ```ts
 * const config = loadConfig(process.env);
 * ```
 */
export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
  const parsed = schema.safeParse(env);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      }));
  problems.push(...crossChecks(env));
  if (!parsed.success || problems.length > 0) throw new ServerConfigError(problems);
  const v = parsed.data;
  const port = v.PORT ?? 49_296;
  const githubUrl = v.GITHUB_URL ?? 'https://github.com';
  return {
    port,
    host: v.HOST ?? '127.0.0.1',
    publicUrl: v.PUBLIC_URL ?? (port === 0 ? undefined : `http://localhost:${port}`),
    databaseUrl: v.DATABASE_URL ?? null,
    dataDir: v.DATA_DIR ?? './.data',
    redisUrl: v.REDIS_URL ?? null,
    encryptionKeys: v.ENCRYPTION_KEYS ?? null,
    adminToken: v.ADMIN_TOKEN ?? null,
    logLevel: v.LOG_LEVEL ?? 'info',
    toolRateLimit: toolRateLimit(v.TOOL_RATE_LIMIT_BURST, v.TOOL_RATE_LIMIT_PER_SECOND),
    mcpSessions: v.MCP_SESSIONS !== 'off',
    github: {
      defaultClient: client(v.GITHUB_CLIENT_ID, v.GITHUB_CLIENT_SECRET),
      url: githubUrl,
      apiUrl:
        v.GITHUB_API_URL ??
        (new URL(githubUrl).host === 'github.com' ? 'https://api.github.com' : `${githubUrl}/api/v3`),
    },
    google: {
      defaultClient: client(v.GOOGLE_CLIENT_ID, v.GOOGLE_CLIENT_SECRET),
      authUrl: v.GOOGLE_AUTH_URL ?? 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: v.GOOGLE_TOKEN_URL ?? 'https://oauth2.googleapis.com/token',
      revokeUrl: v.GOOGLE_REVOKE_URL ?? 'https://oauth2.googleapis.com/revoke',
      apiUrl: v.GOOGLE_API_URL ?? 'https://www.googleapis.com',
    },
  };
}

/** The public URL once the port is known: `PUBLIC_URL`, or `http://localhost:<boundPort>`. */
export function resolvePublicUrl(config: ServerConfig, boundPort: number): string {
  return config.publicUrl ?? `http://localhost:${boundPort}`;
}

/** A log-safe summary of the configuration: no secrets, no database credentials. */
export function describeConfig(config: ServerConfig): Record<string, unknown> {
  return {
    host: config.host,
    port: config.port,
    publicUrl: config.publicUrl ?? null,
    database: config.databaseUrl ? 'postgres' : 'pglite',
    dataDir: config.dataDir,
    cache: config.redisUrl ? 'redis' : 'memory',
    encryptionKeysFrom: config.encryptionKeys ? 'env' : 'dev-file',
    adminTokenFrom: config.adminToken ? 'env' : 'dev-file',
    logLevel: config.logLevel,
    toolRateLimit:
      config.toolRateLimit === null
        ? 'off'
        : { ...config.toolRateLimit, store: config.redisUrl ? 'redis' : 'memory' },
    mcpSessions: config.mcpSessions ? 'on' : 'off',
    github: {
      url: config.github.url,
      apiUrl: config.github.apiUrl,
      defaultClient: config.github.defaultClient !== null,
    },
    google: { apiUrl: config.google.apiUrl, defaultClient: config.google.defaultClient !== null },
  };
}
