/**
 * GitHub's classic OAuth scope hierarchy: a granted parent scope includes its children
 * (https://docs.github.com/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps).
 */
const IMPLIED_SCOPES: Readonly<Record<string, readonly string[]>> = {
  repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
  'admin:org': ['write:org', 'read:org'],
  'write:org': ['read:org'],
  'admin:public_key': ['write:public_key', 'read:public_key'],
  'write:public_key': ['read:public_key'],
  'admin:repo_hook': ['write:repo_hook', 'read:repo_hook'],
  'write:repo_hook': ['read:repo_hook'],
  'admin:gpg_key': ['write:gpg_key', 'read:gpg_key'],
  'write:gpg_key': ['read:gpg_key'],
  user: ['read:user', 'user:email', 'user:follow'],
  'write:packages': ['read:packages'],
  project: ['read:project'],
  'write:discussion': ['read:discussion'],
};

/** Splits a scope header or `scope` value (`repo, read:user` or `repo read:user`). Absent → `null`. */
export function parseScopeList(value: string | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  return [...new Set(value.split(/[\s,]+/).filter(Boolean))];
}

/** The granted scopes plus every scope they imply. */
export function expandScopes(granted: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const scope of granted) {
    out.add(scope);
    for (const implied of IMPLIED_SCOPES[scope] ?? []) out.add(implied);
  }
  return out;
}

/**
 * Whether a token with `granted` scopes satisfies an endpoint that accepts any of `accepted`
 * (GitHub's `X-Accepted-OAuth-Scopes`; an empty list means no scope is needed).
 */
export function satisfiesScopes(granted: readonly string[], accepted: readonly string[]): boolean {
  if (accepted.length === 0) return true;
  const have = expandScopes(granted);
  return accepted.some((scope) => have.has(scope));
}
