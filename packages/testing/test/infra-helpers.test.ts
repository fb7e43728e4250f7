import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ALL_TABLES,
  createTestPool,
  createThrowAwayDatabase,
  freePort,
  redisServerAvailable,
  startPrivateRedis,
} from '../src/index.js';

const DATABASE_URL = process.env.DATABASE_URL;

/** Sends `PING` over a raw socket and resolves with the first reply line (`+PONG`), or rejects. */
async function ping(port: number): Promise<string> {
  const socket = createConnection({ host: '127.0.0.1', port });
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('data', (chunk) => resolve(chunk.toString().trim()));
      socket.write('PING\r\n');
    });
  } finally {
    socket.destroy();
  }
}

describe('ALL_TABLES', () => {
  it('lists every store table once, mcp_leases included', () => {
    expect(new Set(ALL_TABLES).size).toBe(ALL_TABLES.length);
    expect(ALL_TABLES).toContain('mcp_credentials');
    expect(ALL_TABLES).toContain('mcp_leases');
  });
});

describe('createThrowAwayDatabase', () => {
  it('rejects a prefix that is not a bare identifier before connecting anywhere', async () => {
    await expect(createThrowAwayDatabase('postgres://x@127.0.0.1:1/none', 'x; drop')).rejects.toThrow(
      TypeError,
    );
  });

  it.skipIf(!DATABASE_URL)(
    'creates a database with the prefix, serves a pool on it and drops it',
    async () => {
      const database = await createThrowAwayDatabase(DATABASE_URL ?? '', 'mcp_tt_');
      expect(database.name).toMatch(/^mcp_tt_[0-9a-f]{16}$/);
      expect(new URL(database.url).pathname).toBe(`/${database.name}`);
      const pool = createTestPool(database.url, 2);
      try {
        const { rows } = await pool.query<{ name: string }>('select current_database() as name');
        expect(rows[0]?.name).toBe(database.name);
      } finally {
        await pool.end();
      }
      await database.drop();
      await database.drop(); // idempotent
      const admin = createTestPool(DATABASE_URL ?? '', 1);
      try {
        const left = await admin.query('select 1 from pg_database where datname = $1', [database.name]);
        expect(left.rowCount).toBe(0);
      } finally {
        await admin.end();
      }
    },
  );
});

describe.skipIf(!redisServerAvailable())('startPrivateRedis', () => {
  it('starts on a free port, stops like a crash and restarts on the same port', async () => {
    const redis = await startPrivateRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await ping(redis.port)).toBe('+PONG');
      await redis.start(); // no-op while running
      await redis.stop();
      await expect(ping(redis.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await redis.stop(); // idempotent
      await redis.start();
      expect(await ping(redis.port)).toBe('+PONG');
    } finally {
      await redis.stop();
    }
  });

  it('freePort returns a port nobody listens on', async () => {
    await expect(ping(await freePort())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
