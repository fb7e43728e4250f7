import type { Store } from '../store/ports.js';
import type { ProviderDefinition } from './types.js';

/**
 * Registers every enabled provider in `mcp_table` (idempotent; run at start-up).
 * Metadata holds only public facts about the provider, never client credentials.
 */
export async function registerServices(
  store: Store,
  providers: readonly ProviderDefinition[],
): Promise<void> {
  for (const provider of providers) {
    await store.services.upsertService({
      name: provider.id,
      displayName: provider.displayName,
      authType: 'oauth2',
      status: 'active',
      metadata: {
        defaultScopes: [...provider.defaultScopes],
        pkce: provider.pkce,
        tokensExpire: provider.tokensExpire,
        tools: (provider.tools ?? []).map((tool) => tool.name),
      },
    });
  }
}
