function hostMatches(host: string, allowed: readonly string[]): boolean {
  const hostname = host.replace(/:\d+$/, '');
  return allowed.some((entry) => entry === host || (!/:\d+$/.test(entry) && entry === hostname));
}

/**
 * DNS-rebinding protection: the `Host` header (or the URL's host) must be an allowed host, and an `Origin`
 * header, when present, must name one too. Entries are `host:port`, or a bare host name matching any port.
 */
export function isAllowedHost(request: Request, allowedHosts: readonly string[]): boolean {
  const allowed = allowedHosts.map((entry) => entry.toLowerCase());
  const host = (request.headers.get('host') ?? new URL(request.url).host).toLowerCase();
  if (!hostMatches(host, allowed)) return false;
  const origin = request.headers.get('origin');
  if (origin === null) return true;
  try {
    return hostMatches(new URL(origin).host.toLowerCase(), allowed);
  } catch {
    return false;
  }
}
