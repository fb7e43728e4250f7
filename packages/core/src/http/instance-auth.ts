import { sha256Hex } from '../crypto/hash.js';
import { InstanceError } from '../errors/index.js';
import type { ApiKeyRecord, InstanceRecord, Store } from '../store/ports.js';
import type { Clock, Logger } from '../util/types.js';
import { isUuid } from '../util/uuid.js';
import { readBearer } from './bearer.js';
import { HttpError } from './http-error.js';
import type { PrincipalCache } from './principal-cache.js';

/** Prefix of every instance API key we issue. */
export const API_KEY_PREFIX = 'mcpk_';

const API_KEY_SHAPE = /^mcpk_[A-Za-z0-9_-]{16,200}$/;

/** `last_used` columns are recorded at most this often, so busy clients do not write on every request. */
export const LAST_USED_GRANULARITY_MS = 60_000;

/** Whether a `last_used` value is stale enough to be worth a write. */
export function lastUseIsStale(lastUsedAt: Date | null, now: number): boolean {
  return lastUsedAt === null || now - lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS;
}

/** An instance together with the API key that unlocked it. */
export interface InstancePrincipal {
  instance: InstanceRecord;
  apiKey: ApiKeyRecord;
}

/** Authorises per-instance requests with the instance's own API key. */
export interface InstanceAuth {
  /**
   * Resolves the instance a request may act on.
   *
   * A non-UUID id, an unknown instance and a key that belongs to another instance all answer the same 404, so
   * instance ids cannot be probed; a non-UUID never reaches the store. No or malformed credentials, or a
   * well-formed key that matches nothing, answer 401.
   *
   * @throws InstanceError `INSTANCE_NOT_FOUND` (404); HttpError `UNAUTHORIZED` (401).
   */
  authorize(request: Request, instanceId: string): Promise<InstancePrincipal>;
}

/** The one 404 every "not yours or not there" case answers with. */
export function instanceNotFound(): InstanceError {
  return new InstanceError('INSTANCE_NOT_FOUND', 'Instance not found.');
}

function unauthorized(message: string, invalidToken: boolean): HttpError {
  return new HttpError(401, 'UNAUTHORIZED', message, {
    'www-authenticate': invalidToken ? 'Bearer error="invalid_token"' : 'Bearer',
  });
}

/** Dependencies of {@link createInstanceAuth}. */
export interface InstanceAuthDeps {
  store: Store;
  now: Clock;
  logger: Logger;
  /** Reuses recently resolved keys instead of reading the key and the instance on every request. */
  principals?: PrincipalCache;
  /** Hash of presented keys. @default sha256Hex */
  sha256?: (value: string) => string | Promise<string>;
}

/** Reads the key's record and its instance from the store, or says which of the two is missing. */
async function loadPrincipal(
  store: Store,
  keyHash: string,
): Promise<InstancePrincipal | 'no_key' | 'no_instance'> {
  const apiKey = await store.apiKeys.findApiKeyByHash(keyHash);
  if (apiKey === null) return 'no_key';
  const instance = await store.instances.getInstance(apiKey.instanceId);
  if (instance === null) return 'no_instance';
  return { instance, apiKey: { ...apiKey } };
}

/**
 * Creates the API-key check for `/:instanceId/*` routes. `last_used` updates never delay or fail a request.
 * With `principals`, a key resolved within the cache's TTL is not read again (misses are never cached).
 */
export function createInstanceAuth(deps: InstanceAuthDeps): InstanceAuth {
  const { store, now, logger, principals } = deps;
  const sha256 = deps.sha256 ?? sha256Hex;
  return {
    async authorize(request, instanceId) {
      if (!isUuid(instanceId)) throw instanceNotFound();
      const key = readBearer(request);
      if (key === null) throw unauthorized('An instance API key is required.', false);
      if (!API_KEY_SHAPE.test(key)) throw unauthorized('The API key is not valid.', true);
      const keyHash = await sha256(key);
      let principal: InstancePrincipal | undefined = principals?.get(keyHash);
      if (principal === undefined) {
        // A deletion finishing while this load runs must not leave the deleted key cached.
        const epoch = principals?.epoch() ?? 0;
        const loaded = await loadPrincipal(store, keyHash);
        if (loaded === 'no_key') throw unauthorized('The API key is not valid.', true);
        if (loaded === 'no_instance') throw instanceNotFound();
        principal = loaded;
        principals?.set(keyHash, principal, epoch);
      }
      const { apiKey, instance } = principal;
      if (apiKey.instanceId.toLowerCase() !== instanceId.toLowerCase()) throw instanceNotFound();
      const at = now();
      if (!lastUseIsStale(apiKey.lastUsedAt, at)) return { instance, apiKey };
      // The record is this request's (or the cache's) own copy: later requests see the touch without a read.
      apiKey.lastUsedAt = new Date(at);
      store.apiKeys.touchApiKey(apiKey.keyId, new Date(at)).catch((error: unknown) => {
        logger.warn(
          {
            keyId: apiKey.keyId,
            instanceId: apiKey.instanceId,
            err: error instanceof Error ? error.name : 'unknown',
          },
          'could not record API key use',
        );
      });
      return { instance, apiKey };
    },
  };
}
