import { InstanceError, OAuthFlowError } from '../errors/index.js';
import type { ClientCredentials, ProviderDefinition } from '../provider/types.js';
import type { InstanceRecord } from '../store/ports.js';
import { isUuid } from '../util/uuid.js';
import type { FlowDeps } from './options.js';
import { openSecret } from './vault.js';

/** The provider of a service. @throws OAuthFlowError `OAUTH_SERVICE_UNKNOWN`. */
export function providerFor(deps: FlowDeps, serviceName: string): ProviderDefinition {
  const provider = deps.providers.get(serviceName);
  if (!provider)
    throw new OAuthFlowError('OAUTH_SERVICE_UNKNOWN', `Unknown service "${serviceName.slice(0, 64)}".`);
  return provider;
}

/** Loads an instance by id. @throws InstanceError `INSTANCE_INVALID_ID`, `INSTANCE_NOT_FOUND`. */
export async function loadInstance(deps: FlowDeps, instanceId: string): Promise<InstanceRecord> {
  if (!isUuid(instanceId)) throw new InstanceError('INSTANCE_INVALID_ID', 'Instance ids are UUIDs.');
  const instance = await deps.store.instances.getInstance(instanceId);
  if (!instance) throw new InstanceError('INSTANCE_NOT_FOUND', 'Instance not found.');
  return instance;
}

/**
 * The OAuth client of an instance: its own (secret decrypted) or the host default for the service.
 * @throws OAuthFlowError `OAUTH_CLIENT_MISSING` when neither exists.
 */
export async function clientFor(deps: FlowDeps, instance: InstanceRecord): Promise<ClientCredentials> {
  const { clientId, clientSecretCiphertext } = instance.config;
  if (clientId && clientSecretCiphertext) {
    const clientSecret = await openSecret(
      deps.keyRing,
      'clientSecret',
      instance.instanceId,
      clientSecretCiphertext,
    );
    return { clientId, clientSecret };
  }
  const fallback = deps.defaultClients[instance.serviceName];
  if (!fallback) {
    throw new OAuthFlowError(
      'OAUTH_CLIENT_MISSING',
      `No OAuth client is configured for "${instance.serviceName}"; pass clientId and clientSecret.`,
    );
  }
  return fallback;
}
