import type {
  ApiKeyRecord,
  CredentialRecord,
  InstanceRecord,
  InstanceStatus,
  ServiceRecord,
} from '../store/ports.js';
import type { BreakerStatus, TokenStatus } from '../tokens/types.js';

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** Public JSON shape of an instance. Never holds a ciphertext or a client secret. */
export interface InstanceView {
  instanceId: string;
  serviceName: string;
  userId: string;
  status: InstanceStatus;
  scopes: string[];
  readOnly: boolean;
  toolsets: string[] | null;
  /** Whether the instance brings its own OAuth client instead of the host's. */
  hasOwnClient: boolean;
  clientId: string | null;
  upstreamLogin: string | null;
  upstreamSubject: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  oauthCompletedAt: string | null;
}

/** Maps an instance row to its public view (an explicit allow-list of fields). */
export function toInstanceView(instance: InstanceRecord): InstanceView {
  return {
    instanceId: instance.instanceId,
    serviceName: instance.serviceName,
    userId: instance.userId,
    status: instance.status,
    scopes: [...instance.config.scopes],
    readOnly: instance.config.readOnly,
    toolsets: instance.config.toolsets === null ? null : [...instance.config.toolsets],
    hasOwnClient: instance.config.clientId !== null || instance.config.clientSecretCiphertext !== null,
    clientId: instance.config.clientId,
    upstreamLogin: instance.upstreamLogin,
    upstreamSubject: instance.upstreamSubject,
    createdAt: instance.createdAt.toISOString(),
    updatedAt: instance.updatedAt.toISOString(),
    lastUsedAt: iso(instance.lastUsedAt),
    oauthCompletedAt: iso(instance.oauthCompletedAt),
  };
}

/** Public JSON shape of `GET /:instanceId/status`. No token, ciphertext or key id. */
export interface InstanceStatusView {
  instanceId: string;
  serviceName: string;
  status: InstanceStatus;
  upstreamLogin: string | null;
  /** Scopes the upstream granted (empty before the first successful callback). */
  scopes: string[];
  expiresAt: string | null;
  lastRefreshAt: string | null;
  refreshAttempts: number;
  lastRefreshError: string | null;
  /** Credential row version (with a token manager). */
  version?: number | null;
  /** Whether a refresh token is stored (with a token manager); never the token itself. */
  hasRefreshToken?: boolean;
  /** Whether this replica is refreshing the token right now (with a token manager). */
  refreshing?: boolean;
  /** Milliseconds before this replica calls the provider again for this instance (backoff, Retry-After). */
  nextAttemptInMs?: number;
  /** Circuit breakers of the provider and of this instance on this replica (with a token manager). */
  breakers?: { provider: BreakerStatus; instance: BreakerStatus };
}

/**
 * Maps an instance and its credential row (if any) to the status view; `token` (the token manager's
 * `status`) adds the version, the refresh state and the breakers.
 */
export function toInstanceStatusView(
  instance: InstanceRecord,
  credential: CredentialRecord | null,
  token?: TokenStatus,
): InstanceStatusView {
  const view: InstanceStatusView = {
    instanceId: instance.instanceId,
    serviceName: instance.serviceName,
    status: instance.status,
    upstreamLogin: instance.upstreamLogin,
    scopes: credential === null ? [] : [...credential.grantedScopes],
    expiresAt: iso(credential?.expiresAt ?? null),
    lastRefreshAt: iso(credential?.lastRefreshAt ?? null),
    refreshAttempts: credential?.refreshAttempts ?? 0,
    lastRefreshError: credential?.lastRefreshError ?? null,
  };
  if (token === undefined) return view;
  return {
    ...view,
    version: token.version,
    hasRefreshToken: token.hasRefreshToken,
    refreshing: token.refreshing,
    nextAttemptInMs: token.nextAttemptInMs,
    breakers: {
      provider: { ...token.breakers.provider },
      instance: { ...token.breakers.instance },
    },
  };
}

/** Public JSON shape of a registered service. */
export interface ServiceView {
  name: string;
  displayName: string;
  authType: ServiceRecord['authType'];
  status: ServiceRecord['status'];
  /** Whether this process has the provider loaded (a service row may outlive a disabled provider). */
  enabled: boolean;
}

/** Maps a service row to its public view. */
export function toServiceView(service: ServiceRecord, enabled: boolean): ServiceView {
  return {
    name: service.name,
    displayName: service.displayName,
    authType: service.authType,
    status: service.status,
    enabled,
  };
}

/** Public JSON shape of an API key (the key itself is only ever shown by the create route). */
export interface ApiKeyView {
  keyId: string;
  prefix: string;
  name: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Maps an API key row to its public view (never the hash). */
export function toApiKeyView(key: ApiKeyRecord): ApiKeyView {
  return {
    keyId: key.keyId,
    prefix: key.prefix,
    name: key.name,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
  };
}
