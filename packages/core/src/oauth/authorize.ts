import * as oauth from 'oauth4webapi';
import { sha256Hex } from '../crypto/hash.js';
import { InstanceError, OAuthFlowError, StoreError } from '../errors/index.js';
import type { InstanceConfig, InstanceRecord } from '../store/ports.js';
import { isUuid } from '../util/uuid.js';
import { audit } from './audit.js';
import { providerFor } from './client.js';
import type { FlowDeps } from './options.js';
import type { AuthorizationRequest, AuthorizationRequestInput } from './types.js';
import { sealSecret } from './vault.js';

const SCOPE = /^[\x21-\x7e]{1,200}$/;

function checkInput(input: AuthorizationRequestInput): void {
  if (typeof input.userId !== 'string' || input.userId.length < 1 || input.userId.length > 200) {
    throw new OAuthFlowError('OAUTH_INVALID_REQUEST', 'userId must be a string of 1 to 200 characters.');
  }
  if ((input.clientId === undefined) !== (input.clientSecret === undefined)) {
    throw new OAuthFlowError('OAUTH_INVALID_REQUEST', 'clientId and clientSecret must be given together.');
  }
  if (input.scopes && (input.scopes.length > 50 || !input.scopes.every((s) => SCOPE.test(s)))) {
    throw new OAuthFlowError(
      'OAUTH_INVALID_REQUEST',
      'scopes must be at most 50 printable tokens without spaces.',
    );
  }
  if (input.redirectAfter !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(input.redirectAfter);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new OAuthFlowError('OAUTH_INVALID_REQUEST', 'redirectAfter must be an absolute http(s) URL.');
    }
  }
  if (input.instanceId !== undefined && !isUuid(input.instanceId)) {
    throw new InstanceError('INSTANCE_INVALID_ID', 'Instance ids are UUIDs.');
  }
}

async function instanceConfig(
  deps: FlowDeps,
  instanceId: string,
  input: AuthorizationRequestInput,
  scopes: string[],
  previous: InstanceConfig | undefined,
): Promise<InstanceConfig> {
  const ownClient = input.clientId !== undefined && input.clientSecret !== undefined;
  return {
    scopes,
    readOnly: input.readOnly ?? previous?.readOnly ?? false,
    toolsets: input.toolsets !== undefined ? input.toolsets : (previous?.toolsets ?? null),
    clientId: ownClient ? (input.clientId ?? null) : (previous?.clientId ?? null),
    clientSecretCiphertext: ownClient
      ? await sealSecret(deps.keyRing, 'clientSecret', instanceId, input.clientSecret ?? '')
      : (previous?.clientSecretCiphertext ?? null),
  };
}

/** Prepares the instance row: creates it, or re-arms an existing one of the same service and owner. */
async function prepareInstance(
  deps: FlowDeps,
  input: AuthorizationRequestInput,
  instanceId: string,
  scopes: string[],
  existing: InstanceRecord | null,
): Promise<InstanceRecord> {
  if (existing) {
    if (existing.serviceName !== input.serviceName || existing.userId !== input.userId) {
      throw new InstanceError('INSTANCE_EXISTS', 'The instance id is taken by another service or owner.');
    }
    const config = await instanceConfig(deps, instanceId, input, scopes, existing.config);
    // An active instance keeps serving with its current tokens until the new grant completes.
    return deps.store.instances.updateInstance(instanceId, { config });
  }
  const config = await instanceConfig(deps, instanceId, input, scopes, undefined);
  try {
    return await deps.store.instances.createInstance({
      instanceId,
      serviceName: input.serviceName,
      userId: input.userId,
      status: 'pending_oauth',
      config,
    });
  } catch (error) {
    // A concurrent request created the same new id between our read and this insert: answer as a sequential
    // duplicate would be answered, never with the store's unique-key error.
    if (error instanceof StoreError && error.code === 'STORE_DUPLICATE') {
      throw new InstanceError('INSTANCE_EXISTS', 'The instance id was taken by a concurrent request.', {
        cause: error,
      });
    }
    throw error;
  }
}

/** See {@link OAuthFlow.createAuthorizationRequest}. */
export async function createAuthorizationRequest(
  deps: FlowDeps,
  input: AuthorizationRequestInput,
): Promise<AuthorizationRequest> {
  const provider = providerFor(deps, input.serviceName);
  checkInput(input);
  const scopes =
    input.scopes && input.scopes.length > 0 ? [...new Set(input.scopes)] : [...provider.defaultScopes];
  const existing =
    input.instanceId !== undefined ? await deps.store.instances.getInstance(input.instanceId) : null;
  // A re-armed instance that brought its own client keeps it: the code exchange will authenticate with it.
  const ownClientId = existing?.config.clientSecretCiphertext ? existing.config.clientId : null;
  const clientId = input.clientId ?? ownClientId ?? deps.defaultClients[provider.id]?.clientId;
  if (!clientId) {
    throw new OAuthFlowError(
      'OAUTH_CLIENT_MISSING',
      `No OAuth client is configured for "${provider.id}"; pass clientId and clientSecret.`,
    );
  }
  if (
    provider.clientIdPattern &&
    input.clientId !== undefined &&
    !provider.clientIdPattern.test(input.clientId)
  ) {
    throw new OAuthFlowError(
      'OAUTH_INVALID_REQUEST',
      `clientId does not look like a ${provider.displayName} client id.`,
    );
  }
  const instanceId = input.instanceId ?? crypto.randomUUID();
  const instance = await prepareInstance(deps, input, instanceId, scopes, existing);

  const state = oauth.generateRandomState();
  const verifier = provider.pkce ? oauth.generateRandomCodeVerifier() : null;
  const redirectUri = deps.callbackUrl(provider.id);
  const now = deps.now();
  const expiresAt = new Date(now + deps.stateTtlMs);
  await deps.store.states.createState({
    stateHash: await sha256Hex(state),
    instanceId: instance.instanceId,
    serviceName: provider.id,
    codeVerifierCiphertext: verifier
      ? await sealSecret(deps.keyRing, 'codeVerifier', instance.instanceId, verifier)
      : null,
    redirectUri,
    redirectAfter: input.redirectAfter ?? null,
    createdAt: new Date(now),
    expiresAt,
  });

  const url = new URL(provider.endpoints.authorization);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', scopes.join(provider.scopeSeparator));
  url.searchParams.set('state', state);
  if (verifier) {
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [key, value] of Object.entries(provider.authorizationParams ?? {}))
    url.searchParams.set(key, value);

  await audit(deps, deps.store, {
    instanceId: instance.instanceId,
    actor: 'admin',
    event: 'oauth.initiated',
    outcome: 'success',
    requestId: input.requestId,
    details: { serviceName: provider.id, scopes, ownClient: input.clientId !== undefined },
  });
  return { instanceId: instance.instanceId, authorizationUrl: url.toString(), expiresAt };
}
