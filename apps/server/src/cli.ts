import { createKeyRing, type Logger, parseKeyRingSpec, rotateKeys } from '@org/mcp-oauth-core';
import { createApp } from './compose.js';
import { describeConfig, loadConfig, type ServerConfig } from './config.js';
import { openDatabase } from './database.js';
import { resolveSecrets } from './dev-secrets.js';
import { ServerConfigError } from './errors.js';
import { createPinoLogger, toCoreLogger } from './logger.js';
import { installSignalHandlers, startServer } from './server.js';

const USAGE = `Usage: mcp-oauth-server [command]

Commands:
  start         Run migrations and serve HTTP (default)
  migrate       Bring the database schema to the latest version, then exit
  rotate-keys   Re-encrypt every stored secret under the first key of ENCRYPTION_KEYS, then exit
  help          Show this help (also --help, -h)

Configuration comes from the environment: PORT, HOST, PUBLIC_URL, DATABASE_URL, DATA_DIR, REDIS_URL,
ENCRYPTION_KEYS, ADMIN_TOKEN, LOG_LEVEL, GITHUB_*, GOOGLE_*. Without DATABASE_URL an embedded database and
dev secrets are kept in DATA_DIR (default ./.data).
`;

type Command = 'start' | 'migrate' | 'rotate-keys' | 'help';

function parseCommand(args: readonly string[]): Command | null {
  if (args.length > 1) return null;
  const [command = 'start'] = args;
  if (command === '--help' || command === '-h' || command === 'help') return 'help';
  return command === 'start' || command === 'migrate' || command === 'rotate-keys' ? command : null;
}

async function start(config: ServerConfig, logger: Logger): Promise<void> {
  logger.info(describeConfig(config), 'starting');
  const running = await startServer(config, { logger, createApp });
  installSignalHandlers(running, { logger });
}

async function migrate(config: ServerConfig, logger: Logger): Promise<void> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  await database.close();
}

async function rotate(config: ServerConfig, logger: Logger): Promise<void> {
  const secrets = await resolveSecrets(config, logger);
  const keyRing = createKeyRing(parseKeyRingSpec(secrets.encryptionKeys));
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    const result = await rotateKeys({ store: database.store, keyRing });
    logger.info({ ...result, activeKeyId: keyRing.activeKeyId }, 'keys rotated');
    process.stdout.write(
      `re-encrypted ${result.rotated} rows under key "${keyRing.activeKeyId}" ` +
        `(${result.credentials} credentials, ${result.clientSecrets} client secrets)\n`,
    );
  } finally {
    await database.close();
  }
}

/** Runs the CLI; resolves with the exit code for one-shot commands, or `null` once the server is serving. */
async function main(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<number | null> {
  const command = parseCommand(args);
  if (command === null) {
    process.stderr.write(`mcp-oauth-server: unknown command "${args.join(' ')}"\n\n${USAGE}`);
    return 2;
  }
  if (command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let config: ServerConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ServerConfigError)) throw error;
    process.stderr.write(`mcp-oauth-server: ${error.message}\n`);
    return 1;
  }
  const logger = toCoreLogger(createPinoLogger({ level: config.logLevel }));
  try {
    if (command === 'start') {
      await start(config, logger);
      return null;
    }
    await (command === 'migrate' ? migrate : rotate)(config, logger);
    return 0;
  } catch (error) {
    logger.error({ err: error, command }, `${command} failed`);
    return 1;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`mcp-oauth-server: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
