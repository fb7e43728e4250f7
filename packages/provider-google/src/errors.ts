import { McpOAuthError } from '@org/mcp-oauth-core';

/** Codes of {@link GoogleApiError}. */
export type GoogleApiErrorCode = 'GOOGLE_API_ERROR';

/** A Google API call failed. Carries the HTTP status and a trimmed upstream message, never a token. */
export class GoogleApiError extends McpOAuthError<GoogleApiErrorCode> {
  /** Upstream HTTP status. */
  readonly status: number;
  constructor(status: number, message: string) {
    super('GOOGLE_API_ERROR', message);
    this.status = status;
  }
}
