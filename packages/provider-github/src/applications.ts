import {
  type ClientCheckResult,
  type ClientCredentials,
  type FetchLike,
  RevocationError,
} from '@org/mcp-oauth-core';
import { GitHubApiError } from './api/errors.js';
import { githubFetch } from './api/request.js';

/** A token GitHub can never have issued; used to probe client credentials without a user token. */
const PROBE_TOKEN = 'gho_mcpoauthclientcredentialprobe0000';

function tokenPath(clientId: string): string {
  return `/applications/${encodeURIComponent(clientId)}/token`;
}

/**
 * Revokes a user token. GitHub has no RFC 7009 endpoint: it deletes app tokens with
 * `DELETE /applications/{client_id}/token`, Basic auth with the app's credentials and the token in a JSON body.
 * 204 revoked, 404 already gone; anything else fails.
 * @throws RevocationError `REVOCATION_FAILED` (with `status` when GitHub answered).
 */
export async function revokeGitHubToken(
  apiUrl: string,
  context: { token: string; client: ClientCredentials; fetch: FetchLike; signal?: AbortSignal },
): Promise<void> {
  let response: Response;
  try {
    response = await githubFetch({
      apiUrl,
      path: tokenPath(context.client.clientId),
      method: 'DELETE',
      basicAuth: context.client,
      body: { access_token: context.token },
      fetch: context.fetch,
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch (error) {
    const cause = error instanceof GitHubApiError ? error.cause : error;
    throw new RevocationError('REVOCATION_FAILED', 'GitHub could not be reached to revoke the token.', {
      cause,
    });
  }
  await response.body?.cancel();
  if (response.status === 204 || response.status === 404) return;
  throw new RevocationError(
    'REVOCATION_FAILED',
    `GitHub answered the revocation with HTTP ${response.status}.`,
    {
      status: response.status,
    },
  );
}

/**
 * Live check of client credentials without a user token: asks GitHub to check a token it never issued.
 * 404 (unknown token) means GitHub accepted the client id and secret; 401 means it rejected them.
 */
export async function checkGitHubClient(
  apiUrl: string,
  context: { client: ClientCredentials; fetch: FetchLike; signal?: AbortSignal },
): Promise<ClientCheckResult> {
  let response: Response;
  try {
    response = await githubFetch({
      apiUrl,
      path: tokenPath(context.client.clientId),
      method: 'POST',
      basicAuth: context.client,
      body: { access_token: PROBE_TOKEN },
      fetch: context.fetch,
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch {
    return { valid: null, detail: 'GitHub could not be reached' };
  }
  await response.body?.cancel();
  if (response.status === 404 || response.status === 200) {
    return { valid: true, detail: 'GitHub accepted the client credentials' };
  }
  if (response.status === 401) return { valid: false, detail: 'GitHub rejected the client credentials' };
  return { valid: null, detail: `GitHub answered the client check with HTTP ${response.status}` };
}
