import { OAuthFlowError } from '../errors/index.js';
import type { ProviderDefinition } from '../provider/types.js';
import { isUuid } from '../util/uuid.js';
import type { RequestContext } from './context.js';
import { HttpError } from './http-error.js';
import { SERVICE_NAME_PATTERN } from './schemas.js';

/** Reads a path parameter the route pattern guarantees. */
export function param(context: RequestContext, name: string): string {
  const value = context.params[name];
  if (value === undefined) throw new HttpError(404, 'NOT_FOUND', 'No such route.');
  return value;
}

/**
 * The enabled provider named by the `:serviceName` parameter.
 * @throws OAuthFlowError `OAUTH_SERVICE_UNKNOWN` (404) without touching the store.
 */
export function requireService(context: RequestContext): ProviderDefinition {
  const name = param(context, 'serviceName');
  const provider = SERVICE_NAME_PATTERN.test(name) ? context.deps.flow.providers.get(name) : undefined;
  if (provider === undefined) throw new OAuthFlowError('OAUTH_SERVICE_UNKNOWN', 'Unknown service.');
  return provider;
}

/**
 * The `:id` parameter of an admin route, lower-cased.
 * @throws HttpError `INVALID_INSTANCE_ID` (400) for anything but a UUID, before the store is reached.
 */
export function requireInstanceId(context: RequestContext, name = 'id'): string {
  const id = param(context, name);
  if (!isUuid(id)) throw new HttpError(400, 'INVALID_INSTANCE_ID', 'The instance id must be a UUID.');
  return id.toLowerCase();
}
