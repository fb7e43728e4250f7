import { InstanceError, OAuthFlowError, RefreshError } from '../../../src/errors/index.js';
import type {
  AccessToken,
  AuthorizationRequestInput,
  OAuthFlow,
  ValidateCredentialsInput,
} from '../../../src/oauth/types.js';
import type { ProviderDefinition } from '../../../src/provider/types.js';
import type { Store } from '../../../src/store/ports.js';

interface PendingState {
  instanceId: string;
  serviceName: string;
  redirectAfter: string | null;
  used: boolean;
}

/** A hand-written OAuthFlow over the real store (an injected dependency, not a module mock). */
export interface StubFlow extends OAuthFlow {
  /** Arguments of every call, by method. */
  readonly calls: {
    createAuthorizationRequest: AuthorizationRequestInput[];
    validateCredentials: Array<{ serviceName: string; input: ValidateCredentialsInput }>;
    revokeTokens: string[];
    getAccessToken: string[];
  };
  /** Makes `getAccessToken(instanceId)` throw `error` until cleared. */
  failAccess(instanceId: string, error: unknown): void;
  /** Makes `revokeTokens` throw (a bug, not an upstream failure). */
  failRevoke: boolean;
}

/**
 * Callback behaviour keyed by the `code` value: `good` succeeds, `rejected` → OAUTH_CODE_REJECTED,
 * `down` → OAUTH_UPSTREAM_UNAVAILABLE, `identity` → OAUTH_IDENTITY_FAILED. States come from
 * `createAuthorizationRequest` (the state value is the last query parameter of the URL).
 */
export function createStubFlow(
  store: Store,
  providers: readonly ProviderDefinition[],
  now: () => number,
): StubFlow {
  const byName = new Map(providers.map((provider) => [provider.id, provider]));
  const states = new Map<string, PendingState>();
  const accessFailures = new Map<string, unknown>();
  const calls: StubFlow['calls'] = {
    createAuthorizationRequest: [],
    validateCredentials: [],
    revokeTokens: [],
    getAccessToken: [],
  };

  const flow: StubFlow = {
    providers: byName,
    calls,
    failRevoke: false,
    failAccess(instanceId, error) {
      if (error === undefined) accessFailures.delete(instanceId);
      else accessFailures.set(instanceId, error);
    },
    async createAuthorizationRequest(input) {
      calls.createAuthorizationRequest.push(input);
      if (!byName.has(input.serviceName))
        throw new OAuthFlowError('OAUTH_SERVICE_UNKNOWN', 'Unknown service.');
      const instanceId = input.instanceId ?? crypto.randomUUID();
      await store.instances.createInstance({
        instanceId,
        serviceName: input.serviceName,
        userId: input.userId,
        status: 'pending_oauth',
        config: {
          scopes: input.scopes ?? ['read:user'],
          readOnly: input.readOnly ?? false,
          toolsets: input.toolsets ?? null,
          clientId: input.clientId ?? null,
          clientSecretCiphertext: input.clientSecret === undefined ? null : 'v1.kid.ciphertext-of-secret',
        },
      });
      const state = `state-${crypto.randomUUID()}`;
      states.set(state, {
        instanceId,
        serviceName: input.serviceName,
        redirectAfter: input.redirectAfter ?? null,
        used: false,
      });
      return {
        instanceId,
        authorizationUrl: `https://fakehub.test/login/oauth/authorize?client_id=x&state=${state}`,
        expiresAt: new Date(now() + 600_000),
      };
    },
    async handleCallback(serviceName, params) {
      if (params.get('error') === 'access_denied') {
        throw new OAuthFlowError('OAUTH_ACCESS_DENIED', 'The user denied access.', {
          providerError: 'access_denied',
        });
      }
      const stateValue = params.get('state');
      if (stateValue === null)
        throw new OAuthFlowError('OAUTH_STATE_MISSING', 'The state parameter is missing.');
      const state = states.get(stateValue);
      if (state === undefined) throw new OAuthFlowError('OAUTH_STATE_UNKNOWN', 'The state is unknown.');
      if (state.used) throw new OAuthFlowError('OAUTH_STATE_USED', 'The state was already used.');
      state.used = true;
      if (state.serviceName !== serviceName) {
        throw new OAuthFlowError('OAUTH_STATE_SERVICE_MISMATCH', 'The state belongs to another service.');
      }
      const code = params.get('code');
      if (code === null) throw new OAuthFlowError('OAUTH_CODE_MISSING', 'The code parameter is missing.');
      if (code === 'rejected')
        throw new OAuthFlowError('OAUTH_CODE_REJECTED', 'The provider rejected the code.');
      if (code === 'down')
        throw new OAuthFlowError('OAUTH_UPSTREAM_UNAVAILABLE', 'The provider is unavailable.');
      if (code === 'identity')
        throw new OAuthFlowError('OAUTH_IDENTITY_FAILED', 'Could not read the identity.');
      // A careless message that contains the code: the HTTP layer must scrub it.
      if (code.startsWith('echo-'))
        throw new OAuthFlowError('OAUTH_PROVIDER_ERROR', `Provider said no to ${code}`);
      const instance = await store.instances.getInstance(state.instanceId);
      if (instance === null) throw new InstanceError('INSTANCE_NOT_FOUND', 'Instance not found.');
      await store.credentials.saveCredential(
        {
          instanceId: instance.instanceId,
          accessTokenCiphertext: 'v1.kid.ciphertext',
          refreshTokenCiphertext: null,
          keyId: 'kid',
          tokenType: 'bearer',
          grantedScopes: instance.config.scopes,
          expiresAt: null,
          refreshExpiresAt: null,
          refreshAttempts: 0,
          lastRefreshAt: null,
          lastRefreshError: null,
        },
        null,
      );
      await store.instances.updateInstance(instance.instanceId, {
        status: 'active',
        upstreamLogin: 'octocat',
        upstreamSubject: '1',
        oauthCompletedAt: new Date(now()),
      });
      return {
        instanceId: instance.instanceId,
        serviceName,
        status: 'active',
        login: 'octocat',
        redirectAfter: state.redirectAfter,
      };
    },
    async refreshTokens() {
      throw new RefreshError('REFRESH_NOT_SUPPORTED', 'Tokens of this provider do not expire.');
    },
    async revokeTokens(instanceId) {
      calls.revokeTokens.push(instanceId);
      if (flow.failRevoke) throw new Error('revocation exploded');
      return { revoked: true, detail: 'Revoked upstream.' };
    },
    async validateCredentials(serviceName, input) {
      calls.validateCredentials.push({ serviceName, input });
      if (!byName.has(serviceName)) throw new OAuthFlowError('OAUTH_SERVICE_UNKNOWN', 'Unknown service.');
      return {
        serviceName,
        valid: true,
        checks: { clientFormat: { valid: true, detail: 'Looks like a client id.' } },
      };
    },
    async getAccessToken(instanceId): Promise<AccessToken> {
      calls.getAccessToken.push(instanceId);
      const failure = accessFailures.get(instanceId);
      if (failure !== undefined) throw failure;
      const instance = await store.instances.getInstance(instanceId);
      if (instance === null) throw new InstanceError('INSTANCE_NOT_FOUND', 'Instance not found.');
      if (instance.status === 'needs_reauth') {
        throw new InstanceError('INSTANCE_NEEDS_REAUTH', 'The instance must be re-authorized.');
      }
      if (instance.status !== 'active')
        throw new InstanceError('INSTANCE_NOT_ACTIVE', 'The instance is not active.');
      const credential = await store.credentials.getCredential(instanceId);
      if (credential === null)
        throw new InstanceError('INSTANCE_NOT_ACTIVE', 'The instance has no credential.');
      return {
        accessToken: `token-of-${instanceId}`,
        tokenType: 'bearer',
        expiresAt: credential.expiresAt,
        grantedScopes: credential.grantedScopes,
        instance,
      };
    },
  };
  return flow;
}
