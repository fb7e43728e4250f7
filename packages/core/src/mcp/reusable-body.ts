import type { InstanceConfig } from '../store/ports.js';

/** Methods that leave state in a server (client capabilities, log level, subscriptions): never pooled. */
const STATEFUL_METHODS = new Set([
  'initialize',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
]);

/**
 * Whether a stateless POST body may be served by a pooled server: every message is a request or notification
 * whose method leaves nothing behind in the server for the next request (internal).
 */
export function isReusableBody(body: unknown): boolean {
  if (body === undefined) return false;
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  if (messages.length === 0) return false;
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) return false;
    const method: unknown = (message as { method?: unknown }).method;
    if (typeof method !== 'string' || STATEFUL_METHODS.has(method)) return false;
  }
  return true;
}

/**
 * Everything that decides which tools, resources and prompts a server of an instance registers (internal): two
 * requests share a pooled server only when this is equal.
 */
export function selectionOf(
  providerId: string,
  config: InstanceConfig,
  grantedScopes: readonly string[],
): string {
  return JSON.stringify([providerId, config, [...grantedScopes].sort()]);
}
