import { OAuthFlowError } from '../errors/index.js';
import type { ProviderDefinition } from '../provider/types.js';
import { clientFor, loadInstance, providerFor } from './client.js';
import type { FlowDeps } from './options.js';
import type { ValidateCredentialsInput, ValidationCheck, ValidationReport } from './types.js';
import { openSecret } from './vault.js';

const PRINTABLE = /^[\x21-\x7e]+$/;

function clientFormat(provider: ProviderDefinition, clientId: string, clientSecret: string): ValidationCheck {
  if (clientId.length < 8 || clientId.length > 200 || !PRINTABLE.test(clientId)) {
    return { valid: false, detail: 'clientId must be 8 to 200 printable characters' };
  }
  if (provider.clientIdPattern && !provider.clientIdPattern.test(clientId)) {
    return { valid: false, detail: `clientId does not look like a ${provider.displayName} client id` };
  }
  if (clientSecret.length < 8 || clientSecret.length > 500 || !PRINTABLE.test(clientSecret)) {
    return { valid: false, detail: 'clientSecret must be 8 to 500 printable characters' };
  }
  return { valid: true, detail: 'client credentials are well-formed' };
}

async function tokenChecks(
  deps: FlowDeps,
  provider: ProviderDefinition,
  instanceId: string,
): Promise<ValidationReport['checks']> {
  const credential = await deps.store.credentials.getCredential(instanceId);
  if (!credential) {
    return {
      clientFormat: { valid: null, detail: 'not checked' },
      tokenFreshness: { valid: false, detail: 'no tokens stored', expiresAt: null },
    };
  }
  const now = deps.now();
  const expiresAt = credential.expiresAt;
  const fresh = expiresAt === null || expiresAt.getTime() > now;
  const checks: ValidationReport['checks'] = {
    clientFormat: { valid: null, detail: 'not checked' },
    tokenFreshness: {
      valid: fresh || credential.refreshTokenCiphertext !== null,
      detail: fresh
        ? expiresAt === null
          ? 'the token does not expire'
          : 'the token is valid'
        : credential.refreshTokenCiphertext
          ? 'the token expired and will be refreshed on next use'
          : 'the token expired and cannot be refreshed',
      expiresAt: expiresAt?.toISOString() ?? null,
    },
  };
  let granted = credential.grantedScopes;
  if (provider.checkApi && fresh) {
    const accessToken = await openSecret(
      deps.keyRing,
      'accessToken',
      instanceId,
      credential.accessTokenCiphertext,
    );
    const api = await provider
      .checkApi({ accessToken, fetch: deps.fetch, signal: AbortSignal.timeout(deps.upstreamTimeoutMs) })
      .catch(() => ({
        reachable: false,
        detail: 'the API could not be reached',
        status: undefined,
        grantedScopes: undefined,
      }));
    // Reachable is not enough: a 401 (revoked token) or another error status means the API is not usable.
    checks.apiReachability = {
      valid: api.reachable && (api.status === undefined || api.status < 400),
      detail: api.detail,
      ...(api.status !== undefined ? { status: api.status } : {}),
    };
    if (api.grantedScopes) granted = api.grantedScopes;
  }
  const required = [...(provider.requiredScopes ?? [])];
  const missing = required.filter((scope) => !granted.includes(scope));
  checks.scopes = {
    valid: missing.length === 0,
    detail:
      missing.length === 0 ? 'all required scopes are granted' : `missing scopes: ${missing.join(', ')}`,
    granted,
    required,
    missing,
  };
  return checks;
}

/** See {@link OAuthFlow.validateCredentials}. */
export async function validateCredentials(
  deps: FlowDeps,
  serviceName: string,
  input: ValidateCredentialsInput,
): Promise<ValidationReport> {
  const provider = providerFor(deps, serviceName);
  if ((input.clientId === undefined) !== (input.clientSecret === undefined)) {
    throw new OAuthFlowError('OAUTH_INVALID_REQUEST', 'clientId and clientSecret must be given together.');
  }
  let checks: ValidationReport['checks'] = { clientFormat: { valid: null, detail: 'not checked' } };
  let client =
    input.clientId !== undefined && input.clientSecret !== undefined
      ? { clientId: input.clientId, clientSecret: input.clientSecret }
      : undefined;
  if (input.instanceId !== undefined) {
    const instance = await loadInstance(deps, input.instanceId);
    if (instance.serviceName !== serviceName)
      throw new OAuthFlowError('OAUTH_INVALID_REQUEST', 'The instance belongs to another service.');
    checks = await tokenChecks(deps, provider, instance.instanceId);
    client ??= await clientFor(deps, instance).catch(() => undefined);
  }
  client ??= deps.defaultClients[serviceName];
  if (client) {
    checks.clientFormat = clientFormat(provider, client.clientId, client.clientSecret);
    if (checks.clientFormat.valid && provider.checkClient) {
      checks.clientLive = await provider
        .checkClient({ client, fetch: deps.fetch, signal: AbortSignal.timeout(deps.upstreamTimeoutMs) })
        .catch(() => ({ valid: null, detail: 'the provider could not be reached' }));
    }
  } else {
    checks.clientFormat = { valid: false, detail: 'no client credentials given or configured' };
  }
  const valid = Object.values(checks).every((check) => check === undefined || check.valid !== false);
  return { serviceName, valid, checks };
}
