import type { ColumnType, Generated } from 'kysely';
import type { AuditEvent, InstanceStatus, ServiceRecord } from '../store/ports.js';

/** A `timestamptz` column: read as `Date`, written as `Date`. */
export type Timestamp = ColumnType<Date, Date, Date>;
/** A nullable `timestamptz` column. */
export type NullableTimestamp = ColumnType<Date | null, Date | null, Date | null>;
/**
 * A `jsonb` column: read as the parsed value (both `pg` and PGlite parse jsonb), written as JSON text so
 * the driver never turns a JS array into a Postgres array literal.
 */
export type Jsonb<T> = ColumnType<T, string, string>;

/** `mcp_table`: one row per registered service (provider). */
export interface ServiceTable {
  name: string;
  display_name: string;
  auth_type: ServiceRecord['authType'];
  status: ServiceRecord['status'];
  metadata: Jsonb<Record<string, unknown>>;
  registered_at: Timestamp;
  updated_at: Timestamp;
}

/** The JSON stored in `mcp_service_table.config` (the `InstanceConfig` port shape). */
export interface InstanceConfigJson {
  scopes?: string[];
  readOnly?: boolean;
  toolsets?: string[] | null;
  clientId?: string | null;
  clientSecretCiphertext?: string | null;
}

/** `mcp_service_table`: one row per instance (a connected upstream account). */
export interface InstanceTable {
  /** `uuid` primary key. */
  instance_id: string;
  /** References `mcp_table.name`. */
  service_name: string;
  user_id: string;
  status: InstanceStatus;
  config: Jsonb<InstanceConfigJson>;
  upstream_subject: string | null;
  upstream_login: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_used_at: NullableTimestamp;
  oauth_completed_at: NullableTimestamp;
}

/** `mcp_credentials`: one row per instance; token columns hold ciphertexts only. */
export interface CredentialTable {
  /** `uuid` primary key, references `mcp_service_table` (on delete cascade). */
  instance_id: string;
  access_token_ciphertext: string;
  refresh_token_ciphertext: string | null;
  key_id: string;
  token_type: string;
  /** `text[]`. */
  granted_scopes: string[];
  expires_at: NullableTimestamp;
  refresh_expires_at: NullableTimestamp;
  /** Optimistic concurrency version, starts at 1. */
  version: number;
  refresh_attempts: number;
  last_refresh_at: NullableTimestamp;
  last_refresh_error: string | null;
  updated_at: Timestamp;
}

/** `mcp_oauth_states`: pending authorization requests, keyed by the SHA-256 of the state value. */
export interface OAuthStateTable {
  state_hash: string;
  /** References `mcp_service_table` (on delete cascade). */
  instance_id: string;
  service_name: string;
  code_verifier_ciphertext: string | null;
  redirect_uri: string;
  redirect_after: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
}

/** `mcp_api_keys`: instance API keys, stored as SHA-256 hash plus a short prefix. */
export interface ApiKeyTable {
  key_id: string;
  /** References `mcp_service_table` (on delete cascade). */
  instance_id: string;
  /** Unique. */
  key_hash: string;
  prefix: string;
  name: string | null;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

/** `mcp_audit_log`: append-only; no foreign key, so records outlive the instance they describe. */
export interface AuditLogTable {
  /** `bigint` identity (read as a string by `pg`). */
  id: Generated<string | number>;
  at: Timestamp;
  instance_id: string | null;
  actor: string;
  event: string;
  outcome: AuditEvent['outcome'];
  request_id: string | null;
  details: Jsonb<Record<string, unknown>>;
}

/** `mcp_leases`: named leases with an owner and an expiry (migration 0002), e.g. the monitor's sweep lease. */
export interface LeaseTable {
  /** Primary key. */
  name: string;
  owner: string;
  expires_at: Timestamp;
}

/** The kysely database type of every table the store uses. */
export interface Database {
  mcp_table: ServiceTable;
  mcp_service_table: InstanceTable;
  mcp_credentials: CredentialTable;
  mcp_oauth_states: OAuthStateTable;
  mcp_api_keys: ApiKeyTable;
  mcp_audit_log: AuditLogTable;
  mcp_leases: LeaseTable;
}
