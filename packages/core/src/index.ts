export type { BatchingAuditOptions, BatchingAuditStore } from './audit/batching-audit-store.js';
export { createBatchingAuditStore } from './audit/batching-audit-store.js';
export { sha256Hex } from './crypto/hash.js';
export type { KeyRingKey } from './crypto/key-ring.js';
export { createKeyRing, generateKey, parseKeyRingSpec } from './crypto/key-ring.js';
export { MAX_RANDOM_TOKEN_BYTES, randomToken } from './crypto/random.js';
export type { RotateKeysOptions, RotateKeysResult } from './crypto/rotate-keys.js';
export { rotateKeys } from './crypto/rotate-keys.js';
export type { EncryptionContext, KeyRing } from './crypto/types.js';
export { isMcpOAuthError, McpOAuthError } from './errors/base.js';
export type {
  ConfigErrorCode,
  CryptoErrorCode,
  InstanceErrorCode,
  OAuthFlowErrorCode,
  RefreshErrorCode,
  RevocationErrorCode,
  StoreErrorCode,
} from './errors/codes.js';
export {
  ConfigError,
  CryptoError,
  InstanceError,
  OAuthFlowError,
  RefreshError,
  RevocationError,
  StoreError,
} from './errors/codes.js';
export type { CacheControl, CacheReloadReport } from './http/context.js';
export type { HttpHandler } from './http/create-handler.js';
export { createHttpHandler } from './http/create-handler.js';
export type { HttpErrorCode } from './http/http-error.js';
export { HttpError } from './http/http-error.js';
export type { HttpHandlerOptions } from './http/options.js';
export type { PrincipalCacheOptions } from './http/principal-cache.js';
export { DEFAULT_PRINCIPAL_MAX_ENTRIES, DEFAULT_PRINCIPAL_TTL_MS } from './http/principal-cache.js';
export type { HealthReport } from './http/routes/health.js';
export type { ApiKeyView, InstanceStatusView, InstanceView, ServiceView } from './http/views.js';
export { DEFAULT_MCP_MAX_BODY_BYTES } from './mcp/body-limit.js';
export type { ToolContextErrorCode } from './mcp/context-error.js';
export { ToolContextError } from './mcp/context-error.js';
export type { McpHandler, McpHandlerOptions } from './mcp/handler.js';
export { createMcpHandler } from './mcp/handler.js';
export type { PromptDefinition, TypedPromptDefinition } from './mcp/prompt.js';
export { definePrompt } from './mcp/prompt.js';
export type {
  BucketState,
  RateLimitDecision,
  RateLimitStore,
  TokenBucketSpec,
  ToolRateLimiter,
  ToolRateLimitOptions,
} from './mcp/rate-limit.js';
export { createMemoryRateLimitStore, createToolRateLimiter, takeFromBucket } from './mcp/rate-limit.js';
export { RESOURCE_NOT_FOUND } from './mcp/register-resources.js';
export type {
  ResourceCommon,
  ResourceContext,
  ResourceDefinition,
  ResourceTemplateDefinition,
} from './mcp/resource.js';
export { defineResource, defineResourceTemplate } from './mcp/resource.js';
export type { Filterable } from './mcp/resource-filter.js';
export { selectReadable } from './mcp/resource-filter.js';
export type { McpSessionOptions, SessionFilter } from './mcp/session-table.js';
export { DEFAULT_SESSION_IDLE_TIMEOUT_MS } from './mcp/session-table.js';
export {
  MAX_SUBSCRIPTION_BYTES_PER_SESSION,
  MAX_SUBSCRIPTION_URI_BYTES,
  MAX_SUBSCRIPTIONS_PER_SESSION,
} from './mcp/subscriptions.js';
export type { ToolContext, ToolDefinition, ToolOutput, TypedToolDefinition } from './mcp/tool.js';
export { defineTool } from './mcp/tool.js';
export type { ClientRequestOptions, ElicitParams, ToolClient } from './mcp/tool-client.js';
export { detachedToolClient } from './mcp/tool-client.js';
export type { ToolContentBlock } from './mcp/tool-content.js';
export type { ToolErrorContext, UpstreamErrorFields } from './mcp/tool-errors.js';
export { toolErrorMessage } from './mcp/tool-errors.js';
export type { ScopePolicy } from './mcp/tool-filter.js';
export { selectTools, toolsetsOf } from './mcp/tool-filter.js';
export type { TestRegistrar } from './mcp/tool-suite.js';
export { toolProblems, toolSuite } from './mcp/tool-suite.js';
export { matchPathTemplate, PathUriTemplate } from './mcp/uri-template.js';

export type { ExpirationMonitor } from './monitor/create-expiration-monitor.js';
export { createExpirationMonitor } from './monitor/create-expiration-monitor.js';
export type {
  ExpirationMonitorOptions,
  MonitorCacheCleaner,
  MonitorEventSink,
  MonitorScheduler,
  MonitorTokenRefresher,
} from './monitor/options.js';
export type { SweepSummary } from './monitor/sweep.js';
export { MONITOR_LEASE } from './monitor/sweep.js';

export { classifyRefreshFailure, TERMINAL_REFRESH_ERRORS } from './oauth/classify.js';
export { createOAuthFlow } from './oauth/flow.js';
export type { OAuthFlowOptions } from './oauth/options.js';
export { isRateLimited, parseRetryAfter } from './oauth/retry-after.js';
export { splitScopes } from './oauth/token-response.js';
export type {
  AccessToken,
  AuthorizationRequest,
  AuthorizationRequestInput,
  CallbackResult,
  OAuthFlow,
  RefreshResult,
  RefreshTokensOptions,
  RevokeResult,
  ValidateCredentialsInput,
  ValidationCheck,
  ValidationReport,
} from './oauth/types.js';
export { SECRET_COLUMNS } from './oauth/vault.js';

export { registerServices } from './provider/register.js';
export type {
  ApiCheckResult,
  ClientCheckResult,
  ClientCredentials,
  ProviderDefinition,
  ProviderEndpoints,
  UpstreamIdentity,
} from './provider/types.js';

export type {
  ApiKeyRecord,
  ApiKeyStore,
  AuditEvent,
  AuditStore,
  ConsumeStateResult,
  CredentialRecord,
  CredentialStore,
  CredentialWrite,
  DueCredential,
  InstanceConfig,
  InstancePage,
  InstancePatch,
  InstanceQuery,
  InstanceRecord,
  InstanceStatus,
  InstanceStore,
  LockStore,
  MonitorCursor,
  MonitorStore,
  NewInstance,
  OAuthStateRecord,
  OAuthStateStore,
  ServiceRecord,
  ServiceStore,
  Store,
} from './store/ports.js';
export { INSTANCE_STATUSES } from './store/ports.js';
export type { BreakerState } from './tokens/breakers.js';
export type { ReadCacheEntryOptions } from './tokens/cache-entry.js';
export { readCacheEntry } from './tokens/cache-entry.js';
export type { TokenEventBus, TokenEventListener, TokenEventSource } from './tokens/events.js';
export { createTokenEvents } from './tokens/events.js';
export type { BackoffOptions, BreakerOptions, TokenManagerOptions } from './tokens/options.js';
export type {
  CachedCredential,
  CacheKey,
  DistributedLock,
  HeldLock,
  TokenCachePort,
  TokenEventName,
  TokenEvents,
} from './tokens/ports.js';
export type { TokenSource } from './tokens/source.js';
export { createTokenManager } from './tokens/token-manager.js';
export type {
  BreakerStatus,
  GetAccessTokenOptions,
  ReportUnauthorizedOptions,
  TokenManager,
  TokenManagerStats,
  TokenStatus,
  UnauthorizedOutcome,
} from './tokens/types.js';

export type { Clock, FetchLike, Logger } from './util/types.js';
export { silentLogger } from './util/types.js';
export { isUuid } from './util/uuid.js';
