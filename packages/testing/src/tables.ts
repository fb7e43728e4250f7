/**
 * Every table of the store (ARCHITECTURE.md §2 plus `mcp_leases` of migration 0002), in dump order: the list
 * that "what is stored" dumps and secret-leak checks walk.
 */
export const ALL_TABLES = [
  'mcp_table',
  'mcp_service_table',
  'mcp_credentials',
  'mcp_oauth_states',
  'mcp_api_keys',
  'mcp_audit_log',
  'mcp_leases',
] as const;

/** Name of one of {@link ALL_TABLES}. */
export type StoreTable = (typeof ALL_TABLES)[number];
