import type { Selectable } from 'kysely';
import type {
  ApiKeyRecord,
  AuditEvent,
  CredentialRecord,
  DueCredential,
  InstanceConfig,
  InstanceRecord,
  InstanceStatus,
  OAuthStateRecord,
  ServiceRecord,
} from '../../store/ports.js';
import type {
  ApiKeyTable,
  AuditLogTable,
  CredentialTable,
  InstanceConfigJson,
  InstanceTable,
  OAuthStateTable,
  ServiceTable,
} from '../schema.js';

/** Accepts a Date or a timestamp string (some drivers return text for timestamptz). */
function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `mcp_table` row → {@link ServiceRecord}. */
export function toServiceRecord(row: Selectable<ServiceTable>): ServiceRecord {
  return {
    name: row.name,
    displayName: row.display_name,
    authType: row.auth_type,
    status: row.status,
    metadata: row.metadata ?? {},
    registeredAt: toDate(row.registered_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** Stored config JSON → {@link InstanceConfig}, with defaults for fields a row may predate. */
export function toInstanceConfig(json: InstanceConfigJson | null): InstanceConfig {
  const config = json ?? {};
  return {
    scopes: stringArray(config.scopes),
    readOnly: config.readOnly === true,
    toolsets: Array.isArray(config.toolsets) ? stringArray(config.toolsets) : null,
    clientId: typeof config.clientId === 'string' ? config.clientId : null,
    clientSecretCiphertext:
      typeof config.clientSecretCiphertext === 'string' ? config.clientSecretCiphertext : null,
  };
}

/** {@link InstanceConfig} → JSON text for the `config` column (only the known fields). */
export function configJson(config: InstanceConfig): string {
  const json: Required<InstanceConfigJson> = {
    scopes: [...config.scopes],
    readOnly: config.readOnly,
    toolsets: config.toolsets === null ? null : [...config.toolsets],
    clientId: config.clientId,
    clientSecretCiphertext: config.clientSecretCiphertext,
  };
  return JSON.stringify(json);
}

/** `mcp_service_table` row → {@link InstanceRecord}. */
export function toInstanceRecord(row: Selectable<InstanceTable>): InstanceRecord {
  return {
    instanceId: row.instance_id,
    serviceName: row.service_name,
    userId: row.user_id,
    status: row.status,
    config: toInstanceConfig(row.config),
    upstreamSubject: row.upstream_subject,
    upstreamLogin: row.upstream_login,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
    oauthCompletedAt: toDateOrNull(row.oauth_completed_at),
  };
}

/** `mcp_credentials` row → {@link CredentialRecord}. */
export function toCredentialRecord(row: Selectable<CredentialTable>): CredentialRecord {
  return {
    instanceId: row.instance_id,
    accessTokenCiphertext: row.access_token_ciphertext,
    refreshTokenCiphertext: row.refresh_token_ciphertext,
    keyId: row.key_id,
    tokenType: row.token_type,
    grantedScopes: stringArray(row.granted_scopes),
    expiresAt: toDateOrNull(row.expires_at),
    refreshExpiresAt: toDateOrNull(row.refresh_expires_at),
    version: Number(row.version),
    refreshAttempts: Number(row.refresh_attempts),
    lastRefreshAt: toDateOrNull(row.last_refresh_at),
    lastRefreshError: row.last_refresh_error,
    updatedAt: toDate(row.updated_at),
  };
}

/** `mcp_oauth_states` row → {@link OAuthStateRecord}. */
export function toStateRecord(row: Selectable<OAuthStateTable>): OAuthStateRecord {
  return {
    stateHash: row.state_hash,
    instanceId: row.instance_id,
    serviceName: row.service_name,
    codeVerifierCiphertext: row.code_verifier_ciphertext,
    redirectUri: row.redirect_uri,
    redirectAfter: row.redirect_after,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    consumedAt: toDateOrNull(row.consumed_at),
  };
}

/** `mcp_api_keys` row → {@link ApiKeyRecord}. */
export function toApiKeyRecord(row: Selectable<ApiKeyTable>): ApiKeyRecord {
  return {
    keyId: row.key_id,
    instanceId: row.instance_id,
    keyHash: row.key_hash,
    prefix: row.prefix,
    name: row.name,
    createdAt: toDate(row.created_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
  };
}

/** `mcp_audit_log` row → {@link AuditEvent}. */
export function toAuditEvent(row: Selectable<AuditLogTable>): AuditEvent {
  return {
    at: toDate(row.at),
    instanceId: row.instance_id,
    actor: row.actor,
    event: row.event,
    outcome: row.outcome,
    requestId: row.request_id,
    details: row.details ?? {},
  };
}

/** The columns the monitor queries select (credential ⋈ instance). */
export interface DueCredentialRow {
  instance_id: string;
  service_name: string;
  status: InstanceStatus;
  expires_at: Date | string | null;
  has_refresh_token: boolean | 0 | 1 | null;
  last_used_at: Date | string | null;
  last_refresh_at: Date | string | null;
  refresh_attempts: number | string;
}

/** A monitor query row → {@link DueCredential}. */
export function toDueCredential(row: DueCredentialRow): DueCredential {
  return {
    instanceId: row.instance_id,
    serviceName: row.service_name,
    status: row.status,
    expiresAt: toDateOrNull(row.expires_at),
    hasRefreshToken: row.has_refresh_token === true || row.has_refresh_token === 1,
    lastUsedAt: toDateOrNull(row.last_used_at),
    lastRefreshAt: toDateOrNull(row.last_refresh_at),
    refreshAttempts: Number(row.refresh_attempts),
  };
}
