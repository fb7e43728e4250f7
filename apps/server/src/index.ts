export type { App, AppDeps } from './compose.js';
export { allowedHosts, createApp, enabledProviders } from './compose.js';
export type { DefaultClient, LogLevel, ServerConfig, ToolRateLimitConfig } from './config.js';
export { describeConfig, isInsecureLoopbackUrl, LOG_LEVELS, loadConfig, resolvePublicUrl } from './config.js';
export type { OpenDatabase, OpenDatabaseOptions } from './database.js';
export { openDatabase } from './database.js';
export type { DevSecret, DevSecretOptions, ServerSecrets } from './dev-secrets.js';
export {
  DEV_SECRET_FILES,
  ensureDevAdminToken,
  ensureDevEncryptionKeys,
  resolveSecrets,
} from './dev-secrets.js';
export type { ConfigProblem, DevSecretsErrorCode, ServerConfigErrorCode } from './errors.js';
export { DevSecretsError, ServerConfigError } from './errors.js';
export type { CacheControlDeps, CacheLoaderDeps } from './lifecycle/cache-loaders.js';
export { createCacheControl, syncLoader, warmUpLoader } from './lifecycle/cache-loaders.js';
export type { Lifecycle, LifecycleOptions } from './lifecycle/create-lifecycle.js';
export { createLifecycle } from './lifecycle/create-lifecycle.js';
export { logTokenEvents } from './lifecycle/event-log.js';
export type { OpenedTokenCache, OpenTokenCacheOptions } from './lifecycle/token-cache.js';
export { openTokenCache } from './lifecycle/token-cache.js';
export type { PinoLoggerOptions } from './logger.js';
export { createPinoLogger, REDACT_PATHS, toCoreLogger } from './logger.js';
export type { DrainResult, NodeHandler, NodeHandlerOptions, WebHandler } from './node-adapter.js';
export { createNodeHandler } from './node-adapter.js';
export type { OpenedToolRateLimit, OpenToolRateLimitOptions } from './rate-limit.js';
export { openToolRateLimit } from './rate-limit.js';
export type { BodyResult } from './read-body.js';
export { readBody } from './read-body.js';
export type { RunningServer, SignalHandlerOptions, StartServerOptions } from './server.js';
export { installSignalHandlers, startServer } from './server.js';
export { errorResponse, writeResponse } from './write-response.js';
