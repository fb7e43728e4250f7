const NUMERIC_FIELDS = ['expires_in', 'refresh_token_expires_in'] as const;

function readBody(text: string, contentType: string): Record<string, unknown> | null {
  // GitHub answers form-encoded unless the request says `Accept: application/json`.
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const body: Record<string, unknown> = Object.fromEntries(new URLSearchParams(text));
    // Form bodies carry everything as text; RFC 6749 wants numbers for lifetimes.
    for (const field of NUMERIC_FIELDS) {
      const value = body[field];
      if (typeof value === 'string' && /^\d+$/.test(value)) body[field] = Number(value);
    }
    return body;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Rewrites GitHub's token endpoint answer into RFC 6749 shape so a standard OAuth client can read it.
 * Non-200 answers (5xx pages, 429) pass through untouched for the engine's status-based classification.
 */
export async function normalizeGitHubTokenResponse(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  const contentType = response.headers.get('content-type') ?? '';
  if (
    !contentType.includes('application/x-www-form-urlencoded') &&
    !contentType.includes('application/json')
  ) {
    return response;
  }
  const text = await response.text();
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  const body = readBody(text, contentType);
  if (!body) return new Response(text, { status: response.status, headers });
  headers.set('content-type', 'application/json');

  // GitHub reports token errors with HTTP 200; RFC 6749 §5.2 (and oauth4webapi) expect a 4xx.
  const status = typeof body.error === 'string' && body.error !== '' ? 400 : 200;
  // GitHub returns scopes comma-separated ("repo,read:user"); RFC 6749 §3.3 separates them with spaces.
  if (typeof body.scope === 'string') {
    body.scope = body.scope
      .split(/[\s,]+/)
      .filter((scope) => scope !== '')
      .join(' ');
  }
  return new Response(JSON.stringify(body), { status, headers });
}
