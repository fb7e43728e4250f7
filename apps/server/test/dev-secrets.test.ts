import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyRingSpec } from '@org/mcp-oauth-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import {
  DEV_SECRET_FILES,
  ensureDevAdminToken,
  ensureDevEncryptionKeys,
  resolveSecrets,
} from '../src/dev-secrets.js';
import { DevSecretsError } from '../src/errors.js';
import { recordingLogger } from './helpers/logger.js';

let root: string;
let dataDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcp-oauth-dev-secrets-'));
  dataDir = join(root, 'nested', 'data');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('dev secrets', () => {
  it('creates DATA_DIR (0700) and a key file (0600) holding a valid key ring', async () => {
    const { logger } = recordingLogger();
    const secret = await ensureDevEncryptionKeys({ dataDir, logger });
    expect(secret.created).toBe(true);
    expect(secret.file).toBe(join(dataDir, DEV_SECRET_FILES.encryptionKeys));
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(secret.file)).toBe(0o600);
    expect((await readFile(secret.file, 'utf8')).trim()).toBe(secret.value);
    expect(parseKeyRingSpec(secret.value)).toHaveLength(1);
  });

  it('creates an admin token file (0600) with a token of at least 32 characters', async () => {
    const { logger } = recordingLogger();
    const secret = await ensureDevAdminToken({ dataDir, logger });
    expect(await modeOf(secret.file)).toBe(0o600);
    expect(secret.value.length).toBeGreaterThanOrEqual(32);
    expect(secret.value).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('reuses the files on restart instead of generating new secrets', async () => {
    const { logger } = recordingLogger();
    const firstKey = await ensureDevEncryptionKeys({ dataDir, logger });
    const firstToken = await ensureDevAdminToken({ dataDir, logger });
    const secondKey = await ensureDevEncryptionKeys({ dataDir, logger });
    const secondToken = await ensureDevAdminToken({ dataDir, logger });
    expect(secondKey).toEqual({ ...firstKey, created: false });
    expect(secondToken).toEqual({ ...firstToken, created: false });
  });

  it('agrees on one value when two starts race', async () => {
    const { logger } = recordingLogger();
    const results = await Promise.all([1, 2, 3, 4].map(() => ensureDevAdminToken({ dataDir, logger })));
    expect(new Set(results.map((result) => result.value)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
  });

  it('logs the file path, never the secret', async () => {
    const { logger, records } = recordingLogger();
    const key = await ensureDevEncryptionKeys({ dataDir, logger });
    const token = await ensureDevAdminToken({ dataDir, logger });
    await ensureDevAdminToken({ dataDir, logger });
    const logged = JSON.stringify(records);
    expect(records.map((record) => record.message)).toEqual([
      'generated dev encryption key',
      'generated dev admin token',
      'using dev admin token',
    ]);
    expect(records[0]?.fields.file).toBe(key.file);
    expect(records[1]?.fields.file).toBe(token.file);
    expect(logged).not.toContain(token.value);
    expect(logged).not.toContain(key.value.split(':')[1]);
  });

  it('tightens a secret file that others can read', async () => {
    const { logger } = recordingLogger();
    const token = await ensureDevAdminToken({ dataDir, logger });
    await chmod(token.file, 0o644);
    await ensureDevAdminToken({ dataDir, logger });
    expect(await modeOf(token.file)).toBe(0o600);
  });

  it('refuses a corrupt file with a coded error naming the file, not its content', async () => {
    const { logger } = recordingLogger();
    await ensureDevEncryptionKeys({ dataDir, logger });
    const file = join(dataDir, DEV_SECRET_FILES.encryptionKeys);
    await writeFile(file, 'dev:not-a-key-material-xyz\n');
    const error = await ensureDevEncryptionKeys({ dataDir, logger }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DevSecretsError);
    expect(error).toMatchObject({ code: 'DEV_SECRET_INVALID', file });
    expect(String((error as Error).message)).not.toContain('not-a-key-material-xyz');
  });

  it('resolveSecrets prefers the environment and generates only what is missing', async () => {
    const { logger, records } = recordingLogger();
    const adminToken = 'A'.repeat(40);
    const secrets = await resolveSecrets(loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: adminToken }), logger);
    expect(secrets.adminToken).toBe(adminToken);
    expect(parseKeyRingSpec(secrets.encryptionKeys)[0]?.id).toBe('dev');
    expect(records.map((record) => record.message)).toEqual(['generated dev encryption key']);
    await expect(stat(join(dataDir, DEV_SECRET_FILES.adminToken))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
