import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generateKey, type Logger, parseKeyRingSpec } from '@org/mcp-oauth-core';
import type { ServerConfig } from './config.js';
import { DevSecretsError } from './errors.js';

/** File names of the generated dev secrets inside `DATA_DIR`. */
export const DEV_SECRET_FILES = {
  encryptionKeys: 'dev-encryption-keys',
  adminToken: 'dev-admin-token',
} as const;

/**
 * Reads `file`, or creates it with `generate()` and mode 0600. The value is written to a private temporary file
 * and hard-linked into place, which fails when the file exists: two processes starting at once agree on one
 * value, and a reader never sees a half-written file.
 */
async function readOrCreate(
  file: string,
  generate: () => string,
): Promise<{ value: string; created: boolean }> {
  const existing = await readExisting(file);
  if (existing !== null) return { value: existing, created: false };
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    const value = generate();
    await handle.writeFile(`${value}\n`, 'utf8');
    await handle.sync();
    await link(temporary, file);
    return { value, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await handle.close();
    await rm(temporary, { force: true });
  }
  return { value: (await readExisting(file)) ?? '', created: false };
}

/** The trimmed content of `file`, or `null` when it does not exist. */
async function readExisting(file: string): Promise<string | null> {
  let mode: number;
  try {
    mode = (await stat(file)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // A secret file readable by group or others is tightened rather than trusted as is.
  if ((mode & 0o077) !== 0) await chmod(file, 0o600);
  return (await readFile(file, 'utf8')).trim();
}

/** A secret and the file it lives in. */
export interface DevSecret {
  value: string;
  /** Absolute path of the file (mode 0600). */
  file: string;
  /** Whether this call generated it. */
  created: boolean;
}

/** Options of the `ensureDev*` functions. */
export interface DevSecretOptions {
  /** `DATA_DIR`; created with mode 0700 when missing. */
  dataDir: string;
  logger: Logger;
}

async function ensure(
  options: DevSecretOptions,
  name: string,
  label: string,
  generate: () => string,
  check: (value: string) => string | null,
): Promise<DevSecret> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, name);
  const { value, created } = await readOrCreate(file, generate);
  const problem = check(value);
  if (problem !== null) throw new DevSecretsError(file, `${problem}; fix or delete the file`);
  options.logger.info({ file }, created ? `generated ${label}` : `using ${label}`);
  return { value, file, created };
}

/**
 * Generates once, then reuses, the dev key ring (`dev:<base64 32 bytes>`) in `DATA_DIR/dev-encryption-keys`
 * (mode 0600). Only for runs without `DATABASE_URL`. The log names the file, never the key.
 *
 * @throws DevSecretsError `DEV_SECRET_INVALID` when the existing file does not hold a valid key ring spec.
 * @example
 * ```ts
 * const { value: spec } = await ensureDevEncryptionKeys({ dataDir: './.data', logger });
 * ```
 */
export function ensureDevEncryptionKeys(options: DevSecretOptions): Promise<DevSecret> {
  return ensure(
    options,
    DEV_SECRET_FILES.encryptionKeys,
    'dev encryption key',
    () => `dev:${generateKey()}`,
    (value) => {
      try {
        parseKeyRingSpec(value);
        return null;
      } catch {
        return 'does not hold a "kid:base64key" key ring of 32-byte keys';
      }
    },
  );
}

/**
 * Generates once, then reuses, the dev admin token (43 base64url characters from 32 random bytes) in
 * `DATA_DIR/dev-admin-token` (mode 0600). The log names the file, never the token.
 *
 * @throws DevSecretsError `DEV_SECRET_INVALID` when the existing file holds a token shorter than 32 characters.
 * @example
 * ```ts
 * const { file } = await ensureDevAdminToken({ dataDir: './.data', logger });
 * ```
 */
export function ensureDevAdminToken(options: DevSecretOptions): Promise<DevSecret> {
  return ensure(
    options,
    DEV_SECRET_FILES.adminToken,
    'dev admin token',
    () => randomBytes(32).toString('base64url'),
    (value) =>
      value.length >= 32 && !/\s/.test(value) ? null : 'must hold a token of at least 32 characters',
  );
}

/** The secrets the server runs with. */
export interface ServerSecrets {
  /** Key ring spec for `parseKeyRingSpec`. */
  encryptionKeys: string;
  adminToken: string;
}

/**
 * `ENCRYPTION_KEYS` and `ADMIN_TOKEN` from the configuration, each falling back to its generated dev file
 * (config validation already refused a missing value when `DATABASE_URL` is set).
 */
export async function resolveSecrets(config: ServerConfig, logger: Logger): Promise<ServerSecrets> {
  const options = { dataDir: config.dataDir, logger };
  return {
    encryptionKeys: config.encryptionKeys ?? (await ensureDevEncryptionKeys(options)).value,
    adminToken: config.adminToken ?? (await ensureDevAdminToken(options)).value,
  };
}
