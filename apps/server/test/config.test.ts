import { describe, expect, it } from 'vitest';
import { describeConfig, isInsecureLoopbackUrl, loadConfig, resolvePublicUrl } from '../src/config.js';
import { ServerConfigError } from '../src/errors.js';

const KEY_A = Buffer.alloc(32, 7).toString('base64');
const KEY_B = Buffer.alloc(32, 9).toString('base64');
const ADMIN = 'admin-token-0123456789abcdefghijklmnop';

/** Runs loadConfig and returns the thrown ServerConfigError. */
function problemsOf(env: Record<string, string | undefined>): ServerConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ServerConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies the defaults of ARCHITECTURE.md §5 to an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 49296,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:49296',
      databaseUrl: null,
      dataDir: './.data',
      redisUrl: null,
      encryptionKeys: null,
      adminToken: null,
      logLevel: 'info',
      toolRateLimit: { capacity: 30, refillPerSecond: 1 },
      mcpSessions: true,
      github: { defaultClient: null, url: 'https://github.com', apiUrl: 'https://api.github.com' },
      google: {
        defaultClient: null,
        authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        revokeUrl: 'https://oauth2.googleapis.com/revoke',
        apiUrl: 'https://www.googleapis.com',
      },
    });
  });

  it('ignores unrelated variables and treats empty strings as unset', () => {
    const config = loadConfig({ PATH: '/usr/bin', PORT: '', HOST: '  ', LOG_LEVEL: '' });
    expect(config).toMatchObject({ port: 49296, host: '127.0.0.1', logLevel: 'info' });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://mcp.example.com/',
      DATABASE_URL: 'postgres://user:pw@db:5432/mcp',
      DATA_DIR: '/var/lib/mcp',
      REDIS_URL: 'rediss://cache:6380',
      ENCRYPTION_KEYS: `k2:${KEY_B},k1:${KEY_A}`,
      ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: 'debug',
      TOOL_RATE_LIMIT_BURST: '120',
      TOOL_RATE_LIMIT_PER_SECOND: '0.5',
      MCP_SESSIONS: 'off',
      GITHUB_CLIENT_ID: 'Ov23liABC',
      GITHUB_CLIENT_SECRET: 'gh-secret',
      GITHUB_URL: 'https://ghe.example.com',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
      GOOGLE_CLIENT_ID: 'g-id',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      GOOGLE_AUTH_URL: 'https://auth.example.com/o/oauth2/v2/auth',
      GOOGLE_TOKEN_URL: 'https://oauth.example.com/token',
      GOOGLE_REVOKE_URL: 'https://oauth.example.com/revoke',
      GOOGLE_API_URL: 'http://127.0.0.1:9999',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://mcp.example.com',
      databaseUrl: 'postgres://user:pw@db:5432/mcp',
      dataDir: '/var/lib/mcp',
      redisUrl: 'rediss://cache:6380',
      encryptionKeys: `k2:${KEY_B},k1:${KEY_A}`,
      adminToken: ADMIN,
      logLevel: 'debug',
      toolRateLimit: { capacity: 120, refillPerSecond: 0.5 },
      mcpSessions: false,
      github: {
        defaultClient: { clientId: 'Ov23liABC', clientSecret: 'gh-secret' },
        url: 'https://ghe.example.com',
        apiUrl: 'https://ghe.example.com/api/v3',
      },
      google: {
        defaultClient: { clientId: 'g-id', clientSecret: 'g-secret' },
        authUrl: 'https://auth.example.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth.example.com/token',
        revokeUrl: 'https://oauth.example.com/revoke',
        apiUrl: 'http://127.0.0.1:9999',
      },
    });
  });

  it('reads MCP_SESSIONS as on/off (any case, trimmed) and names it when it is anything else', () => {
    expect(loadConfig({ MCP_SESSIONS: ' ON ' }).mcpSessions).toBe(true);
    expect(loadConfig({ MCP_SESSIONS: 'Off' }).mcpSessions).toBe(false);
    expect(() => loadConfig({ MCP_SESSIONS: 'false' })).toThrow(/MCP_SESSIONS must be on or off/);
    expect(describeConfig(loadConfig({ MCP_SESSIONS: 'off' })).mcpSessions).toBe('off');
  });

  it('keeps the default of the variable left unset when only one rate-limit variable is set', () => {
    expect(loadConfig({ TOOL_RATE_LIMIT_BURST: '5' }).toolRateLimit).toEqual({
      capacity: 5,
      refillPerSecond: 1,
    });
    expect(loadConfig({ TOOL_RATE_LIMIT_PER_SECOND: ' 10 ' }).toolRateLimit).toEqual({
      capacity: 30,
      refillPerSecond: 10,
    });
  });

  it('turns the tool-call rate limit off with TOOL_RATE_LIMIT_PER_SECOND=off', () => {
    expect(loadConfig({ TOOL_RATE_LIMIT_PER_SECOND: 'off' }).toolRateLimit).toBeNull();
    expect(loadConfig({ TOOL_RATE_LIMIT_PER_SECOND: 'OFF' }).toolRateLimit).toBeNull();
    expect(problemsOf({ TOOL_RATE_LIMIT_PER_SECOND: 'off', TOOL_RATE_LIMIT_BURST: '10' }).problems).toEqual([
      {
        variable: 'TOOL_RATE_LIMIT_BURST',
        message: 'has no effect while TOOL_RATE_LIMIT_PER_SECOND is off (unset one of them)',
      },
    ]);
  });

  it('derives the Enterprise Server API URL from GITHUB_URL when GITHUB_API_URL is unset', () => {
    expect(loadConfig({ GITHUB_URL: 'https://ghe.example.com' }).github.apiUrl).toBe(
      'https://ghe.example.com/api/v3',
    );
  });

  it('leaves the public URL to the bound port when PORT is 0', () => {
    const config = loadConfig({ PORT: '0' });
    expect(config.publicUrl).toBeUndefined();
    expect(resolvePublicUrl(config, 51234)).toBe('http://localhost:51234');
    expect(resolvePublicUrl(loadConfig({ PORT: '0', PUBLIC_URL: 'https://x.example' }), 51234)).toBe(
      'https://x.example',
    );
  });

  it.each([
    ['PORT', 'abc', 'must be an integer between 0 and 65535'],
    ['PORT', '65536', 'must be an integer between 0 and 65535'],
    ['PORT', '-1', 'must be an integer between 0 and 65535'],
    ['PORT', '80.5', 'must be an integer between 0 and 65535'],
    ['HOST', 'bad host', 'must be a host name or IP address'],
    ['PUBLIC_URL', 'localhost:3000', 'must be an absolute http:// or https:// URL'],
    ['PUBLIC_URL', 'https://mcp.example.com/?x=1', 'must not contain credentials, a query or a fragment'],
    ['DATABASE_URL', 'mysql://db/mcp', 'must be a postgres:// or postgresql:// URL'],
    ['REDIS_URL', 'http://cache', 'must be a redis:// or rediss:// URL'],
    ['LOG_LEVEL', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
    ['TOOL_RATE_LIMIT_BURST', '0', 'must be a whole number of calls, at least 1'],
    ['TOOL_RATE_LIMIT_BURST', '2.5', 'must be a whole number of calls, at least 1'],
    ['TOOL_RATE_LIMIT_BURST', 'off', 'must be a whole number of calls, at least 1'],
    ['TOOL_RATE_LIMIT_PER_SECOND', '0', 'must be a positive number of calls per second'],
    ['TOOL_RATE_LIMIT_PER_SECOND', '-1', 'must be a positive number of calls per second'],
    ['TOOL_RATE_LIMIT_PER_SECOND', '1e3', 'must be a positive number of calls per second'],
    ['TOOL_RATE_LIMIT_PER_SECOND', 'fast', 'must be a positive number of calls per second'],
    ['ADMIN_TOKEN', 'short', 'must be at least 32 characters long'],
    ['ADMIN_TOKEN', `${'x'.repeat(32)} y`, 'must use only bearer-token characters'],
    ['GITHUB_URL', 'http://github.example.com', 'must use https://'],
    ['GITHUB_API_URL', 'ftp://api.example.com', 'must be an absolute http:// or https:// URL'],
    ['GOOGLE_TOKEN_URL', 'https://user:pw@oauth.example.com/token', 'must not contain credentials'],
    ['ENCRYPTION_KEYS', 'no-colon-here', 'ENCRYPTION_KEYS is invalid'],
    ['ENCRYPTION_KEYS', 'k1:c2hvcnQ=', 'ENCRYPTION_KEYS is invalid'],
    ['ENCRYPTION_KEYS', `k1:${KEY_A},k1:${KEY_B}`, 'ENCRYPTION_KEYS is invalid'],
  ])('rejects %s=%j with a message naming the variable', (variable, value, expected) => {
    const error = problemsOf({ [variable]: value });
    expect(error.code).toBe('SERVER_CONFIG_INVALID');
    expect(error.problems[0]?.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(expected);
  });

  it('accepts http:// upstream URLs on loopback (test fakes) and reports them as insecure', () => {
    const config = loadConfig({
      GITHUB_URL: 'http://127.0.0.1:4010',
      GITHUB_API_URL: 'http://localhost:4010/api',
    });
    expect(config.github).toMatchObject({
      url: 'http://127.0.0.1:4010',
      apiUrl: 'http://localhost:4010/api',
    });
    expect(isInsecureLoopbackUrl(config.github.url)).toBe(true);
    expect(isInsecureLoopbackUrl('https://127.0.0.1:4010')).toBe(false);
    expect(isInsecureLoopbackUrl('http://example.com')).toBe(false);
  });

  it('refuses DATABASE_URL without ENCRYPTION_KEYS and ADMIN_TOKEN', () => {
    const error = problemsOf({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(error.problems.map((problem) => problem.variable)).toEqual(['ENCRYPTION_KEYS', 'ADMIN_TOKEN']);
    expect(error.message).toContain('ENCRYPTION_KEYS is required when DATABASE_URL is set');
    expect(error.message).toContain('ADMIN_TOKEN is required when DATABASE_URL is set');
  });

  it('accepts DATABASE_URL with both secrets', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://db/mcp',
      ENCRYPTION_KEYS: `k1:${KEY_A}`,
      ADMIN_TOKEN: ADMIN,
    });
    expect(config.databaseUrl).toBe('postgresql://db/mcp');
  });

  it('requires client id and secret together', () => {
    expect(problemsOf({ GITHUB_CLIENT_ID: 'id' }).problems).toEqual([
      { variable: 'GITHUB_CLIENT_SECRET', message: 'must be set together with GITHUB_CLIENT_ID' },
    ]);
    expect(problemsOf({ GOOGLE_CLIENT_SECRET: 'secret' }).problems).toEqual([
      { variable: 'GOOGLE_CLIENT_ID', message: 'must be set together with GOOGLE_CLIENT_SECRET' },
    ]);
  });

  it('lists every problem at once', () => {
    const error = problemsOf({
      PORT: 'x',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'postgres://db/x',
      ADMIN_TOKEN: 'short',
      TOOL_RATE_LIMIT_BURST: '0',
      TOOL_RATE_LIMIT_PER_SECOND: 'never',
    });
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual(
      [
        'ADMIN_TOKEN',
        'ENCRYPTION_KEYS',
        'LOG_LEVEL',
        'PORT',
        'TOOL_RATE_LIMIT_BURST',
        'TOOL_RATE_LIMIT_PER_SECOND',
      ].sort(),
    );
    expect(error.message).toMatch(/^Invalid configuration \(6 problems\):/);
  });

  it('never puts a secret value into an error', () => {
    const secrets = {
      ADMIN_TOKEN: 'tiny-admin-secret',
      ENCRYPTION_KEYS: `k1:${KEY_A.slice(0, 20)}`,
      DATABASE_URL: 'mysql://root:db-password-secret@db/x',
      REDIS_URL: 'http://:redis-password-secret@cache',
      GITHUB_CLIENT_SECRET: 'gh-client-secret-value',
      PUBLIC_URL: 'https://user:url-password-secret@x.example',
      GOOGLE_TOKEN_URL: 'http://user:google-url-secret@oauth.example.com',
    };
    const error = problemsOf(secrets);
    const everything = JSON.stringify({
      message: error.message,
      problems: error.problems,
      stack: error.stack,
    });
    for (const value of [
      ...Object.values(secrets),
      KEY_A.slice(0, 20),
      'db-password-secret',
      'redis-password-secret',
    ]) {
      expect(everything).not.toContain(value);
    }
  });

  it('describeConfig is log-safe', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:db-password@db/x',
      ENCRYPTION_KEYS: `k1:${KEY_A}`,
      ADMIN_TOKEN: ADMIN,
      GITHUB_CLIENT_ID: 'id',
      GITHUB_CLIENT_SECRET: 'gh-client-secret',
    });
    const text = JSON.stringify(describeConfig(config));
    for (const secret of ['db-password', KEY_A, ADMIN, 'gh-client-secret'])
      expect(text).not.toContain(secret);
    expect(describeConfig(config)).toMatchObject({
      database: 'postgres',
      encryptionKeysFrom: 'env',
      adminTokenFrom: 'env',
      toolRateLimit: { capacity: 30, refillPerSecond: 1, store: 'memory' },
      github: { defaultClient: true },
    });
  });

  it('describeConfig names where the tool-call buckets live, or off', () => {
    expect(describeConfig(loadConfig({ REDIS_URL: 'redis://u:redis-pw@cache:6379' })).toolRateLimit).toEqual({
      capacity: 30,
      refillPerSecond: 1,
      store: 'redis',
    });
    expect(describeConfig(loadConfig({ TOOL_RATE_LIMIT_PER_SECOND: 'off' })).toolRateLimit).toBe('off');
  });
});
