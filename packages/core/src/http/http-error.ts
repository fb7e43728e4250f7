import { McpOAuthError } from '../errors/index.js';

/** Codes of {@link HttpError}: problems with the HTTP request itself, detected at the edge. */
export type HttpErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INVALID_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_REQUEST'
  | 'INVALID_INSTANCE_ID'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'API_KEY_NOT_FOUND';

/**
 * An HTTP-level failure (bad body, missing credentials, unknown route). Thrown only inside `http/` and turned
 * into `{error: {code, message}}` by {@link mapError}; domain code never throws it. The message is sent to the
 * client as is, so it must never contain a secret or a value taken from the request.
 */
export class HttpError extends McpOAuthError<HttpErrorCode> {
  /** HTTP status to answer with. */
  readonly status: number;
  /** Extra response headers (`Allow`, `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, code: HttpErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.status = status;
    this.headers = headers;
  }
}
