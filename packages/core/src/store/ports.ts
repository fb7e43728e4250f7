/**
 * Storage ports. The kysely implementation lives under `@org/mcp-oauth-core/kysely`; any other back-end
 * implements these interfaces and runs `storeSuite` from the test helpers to prove it behaves the same.
 *
 * Ports speak ciphertext for every secret: encryption happens above them (see `createCredentialVault`),
 * so a back-end never sees a plaintext token.
 */

/** Lifecycle of an instance (a connected upstream account). */
export type InstanceStatus = 'pending_oauth' | 'active' | 'expired' | 'needs_reauth' | 'failed' | 'revoked';

/** All instance statuses, in lifecycle order. */
export const INSTANCE_STATUSES: readonly InstanceStatus[] = [
  'pending_oauth',
  'active',
  'expired',
  'needs_reauth',
  'failed',
  'revoked',
];

/** A row of `mcp_table`: one registered service (provider). */
export interface ServiceRecord {
  /** Unique service name, the provider id (`github`). */
  name: string;
  displayName: string;
  /** How instances of the service authenticate. */
  authType: 'oauth2';
  status: 'active' | 'disabled';
  metadata: Record<string, unknown>;
  registeredAt: Date;
  updatedAt: Date;
}

/** Per-instance configuration stored in `mcp_service_table.config`. */
export interface InstanceConfig {
  /** Scopes requested at authorization. */
  scopes: string[];
  /** Only read-only tools are listed and callable. */
  readOnly: boolean;
  /** Enabled toolsets; `null` means the provider's defaults. */
  toolsets: string[] | null;
  /** Instance's own OAuth client id, overriding the host default. */
  clientId: string | null;
  /** Ciphertext of the instance's own OAuth client secret (AAD: mcp_service_table/client_secret/instance). */
  clientSecretCiphertext: string | null;
}

/** A row of `mcp_service_table`: one instance. */
export interface InstanceRecord {
  instanceId: string;
  serviceName: string;
  /** Owner of the instance in the host's user space. */
  userId: string;
  status: InstanceStatus;
  config: InstanceConfig;
  upstreamSubject: string | null;
  upstreamLogin: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  oauthCompletedAt: Date | null;
}

/** Fields accepted when creating an instance. */
export interface NewInstance {
  instanceId: string;
  serviceName: string;
  userId: string;
  status: InstanceStatus;
  config: InstanceConfig;
}

/** Fields that may change on an instance. */
export type InstancePatch = Partial<
  Pick<
    InstanceRecord,
    'status' | 'config' | 'upstreamSubject' | 'upstreamLogin' | 'lastUsedAt' | 'oauthCompletedAt'
  >
>;

/** Filter and page of {@link InstanceStore.listInstances}. */
export interface InstanceQuery {
  serviceName?: string;
  userId?: string;
  status?: InstanceStatus;
  /** Page size, 1..500. */
  limit: number;
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string | null;
}

/** One page of instances, ordered by creation time then id. */
export interface InstancePage {
  items: InstanceRecord[];
  nextCursor: string | null;
}

/** A row of `mcp_credentials`. Token fields are ciphertexts. */
export interface CredentialRecord {
  instanceId: string;
  accessTokenCiphertext: string;
  refreshTokenCiphertext: string | null;
  /** Key id that encrypted the token columns (for `rotate-keys`). */
  keyId: string;
  tokenType: string;
  grantedScopes: string[];
  expiresAt: Date | null;
  refreshExpiresAt: Date | null;
  /** Optimistic concurrency version; starts at 1 and increases by one on every save. */
  version: number;
  refreshAttempts: number;
  lastRefreshAt: Date | null;
  /** Last refresh failure, already scrubbed of secrets. */
  lastRefreshError: string | null;
  updatedAt: Date;
}

/** What {@link CredentialStore.saveCredential} writes; the store assigns `version` and `updatedAt`. */
export type CredentialWrite = Omit<CredentialRecord, 'version' | 'updatedAt'>;

/** A row of `mcp_oauth_states`. Only the SHA-256 hash of the state value is stored. */
export interface OAuthStateRecord {
  stateHash: string;
  instanceId: string;
  serviceName: string;
  /** Ciphertext of the PKCE verifier (AAD: mcp_oauth_states/code_verifier/instance), or null without PKCE. */
  codeVerifierCiphertext: string | null;
  redirectUri: string;
  redirectAfter: string | null;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

/** Result of an atomic single-use consume of a state. */
export type ConsumeStateResult =
  | { outcome: 'consumed'; state: OAuthStateRecord }
  | { outcome: 'already_consumed'; state: OAuthStateRecord }
  | { outcome: 'unknown' };

/** A row of `mcp_api_keys`. The key itself is never stored, only its SHA-256 hash and a short prefix. */
export interface ApiKeyRecord {
  keyId: string;
  instanceId: string;
  keyHash: string;
  /** First characters of the key, to help a person recognise it. */
  prefix: string;
  name: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A row of `mcp_audit_log`. `details` must never hold secrets. */
export interface AuditEvent {
  at: Date;
  instanceId: string | null;
  /** Who did it: `admin`, `system`, `api_key:<keyId>`, `upstream`. */
  actor: string;
  event: string;
  outcome: 'success' | 'failure';
  requestId: string | null;
  details: Record<string, unknown>;
}

/** `mcp_table`. */
export interface ServiceStore {
  /** Inserts or updates a service by name (idempotent; keeps `registeredAt`). */
  upsertService(service: Omit<ServiceRecord, 'registeredAt' | 'updatedAt'>): Promise<ServiceRecord>;
  getService(name: string): Promise<ServiceRecord | null>;
  listServices(): Promise<ServiceRecord[]>;
}

/** `mcp_service_table`. */
export interface InstanceStore {
  /** @throws StoreError `STORE_DUPLICATE` when the id exists. */
  createInstance(instance: NewInstance): Promise<InstanceRecord>;
  getInstance(instanceId: string): Promise<InstanceRecord | null>;
  listInstances(query: InstanceQuery): Promise<InstancePage>;
  /** @throws StoreError `STORE_NOT_FOUND` when the instance does not exist. */
  updateInstance(instanceId: string, patch: InstancePatch): Promise<InstanceRecord>;
  /** Deletes the instance and, by cascade, its credentials, states and API keys. Returns false when absent. */
  deleteInstance(instanceId: string): Promise<boolean>;
  /** Deletes `pending_oauth` instances created before `olderThan`; returns how many. */
  deleteStalePending(olderThan: Date, limit: number): Promise<number>;
}

/** `mcp_credentials`. */
export interface CredentialStore {
  getCredential(instanceId: string): Promise<CredentialRecord | null>;
  /**
   * Writes the credential when the stored version equals `expectedVersion` (`null`: no row may exist yet).
   * @returns the stored record with its new version.
   * @throws StoreError `STORE_CONFLICT` when another writer got there first.
   */
  saveCredential(write: CredentialWrite, expectedVersion: number | null): Promise<CredentialRecord>;
  deleteCredential(instanceId: string): Promise<boolean>;
  /** Pages through credentials whose `keyId` differs from `activeKeyId` (for key rotation). */
  listCredentialsNotUnderKey(activeKeyId: string, limit: number): Promise<CredentialRecord[]>;
}

/** `mcp_oauth_states`. */
export interface OAuthStateStore {
  createState(state: Omit<OAuthStateRecord, 'consumedAt'>): Promise<void>;
  /** Atomically marks the state consumed; concurrent callers see exactly one `consumed`. */
  consumeState(stateHash: string, now: Date): Promise<ConsumeStateResult>;
  /** Deletes states expired or consumed before `before`; returns how many. */
  deleteExpiredStates(before: Date, limit: number): Promise<number>;
}

/** `mcp_api_keys`. */
export interface ApiKeyStore {
  createApiKey(key: Omit<ApiKeyRecord, 'lastUsedAt'>): Promise<ApiKeyRecord>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(instanceId: string): Promise<ApiKeyRecord[]>;
  /** Deletes the key only when it belongs to `instanceId`. Returns false otherwise. */
  deleteApiKey(instanceId: string, keyId: string): Promise<boolean>;
  touchApiKey(keyId: string, at: Date): Promise<void>;
}

/** `mcp_audit_log`. */
export interface AuditStore {
  appendAudit(event: AuditEvent): Promise<void>;
  /**
   * Appends several records in one write — all or none. Optional: without it, batching callers (see
   * `createBatchingAuditStore`) append one by one.
   */
  appendAudits?(events: readonly AuditEvent[]): Promise<void>;
  /** Newest first. */
  listAudit(query: { instanceId?: string; limit: number }): Promise<AuditEvent[]>;
}

/** A credential the expiration monitor looks at (joined with its instance; ciphertexts stay out). */
export interface DueCredential {
  instanceId: string;
  serviceName: string;
  status: InstanceStatus;
  expiresAt: Date | null;
  hasRefreshToken: boolean;
  lastUsedAt: Date | null;
  lastRefreshAt: Date | null;
  refreshAttempts: number;
}

/** Keyset position for paging through {@link MonitorStore} queries. */
export interface MonitorCursor {
  expiresAt: Date;
  instanceId: string;
}

/** Indexed, paged queries of the expiration monitor. None loads every instance. */
export interface MonitorStore {
  /**
   * `active` instances with a refresh token whose access token expires at or before `before`, ordered by
   * `(expires_at, instance_id)`, starting after `after`.
   */
  listDueForRefresh(before: Date, after: MonitorCursor | null, limit: number): Promise<DueCredential[]>;
  /**
   * `active` instances with a refresh token not used and not refreshed since `idleSince` (providers revoke
   * tokens unused for long), ordered by instance id, starting after `afterInstanceId`.
   */
  listIdle(idleSince: Date, afterInstanceId: string | null, limit: number): Promise<DueCredential[]>;
  /**
   * Marks `active` instances whose access token expired before `now` and which have no refresh token as
   * `expired`; returns the ids changed (at most `limit`).
   */
  markExpired(now: Date, limit: number): Promise<string[]>;
}

/** Database-held locks and leases: the authority across replicas. */
export interface LockStore {
  /**
   * Runs `fn` while holding an exclusive lock named `key`, waiting at most `waitMs` for it. PostgreSQL: an
   * advisory lock held on a dedicated session for the duration of `fn`; embedded single-process databases:
   * an in-process keyed mutex. `fn` must use the ordinary store, not a transaction bound to the lock.
   */
  withLock<T>(
    key: string,
    options: { waitMs: number },
    fn: () => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }>;
  /** Takes or renews the lease `name` for `owner` until `now + ttlMs`; false while another owner holds it. */
  tryLease(name: string, owner: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it. */
  releaseLease(name: string, owner: string): Promise<void>;
}

/** The whole storage port: every table plus lifecycle. */
export interface Store {
  services: ServiceStore;
  instances: InstanceStore;
  credentials: CredentialStore;
  states: OAuthStateStore;
  apiKeys: ApiKeyStore;
  audit: AuditStore;
  monitor: MonitorStore;
  locks: LockStore;
  /** Runs `fn` in one transaction; the `Store` passed to it is bound to that transaction. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Cheap liveness probe (`SELECT 1`). @throws StoreError `STORE_UNAVAILABLE`. */
  ping(): Promise<void>;
}
