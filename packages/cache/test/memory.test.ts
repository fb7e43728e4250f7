import { Keyv } from 'keyv';
import { createLocalInvalidationHub, createTokenCache, type LocalInvalidationHub } from '../src/index.js';
import { randomId } from './helpers/fixtures.js';
import { tokenCacheSuite } from './suite/token-cache-suite.js';

tokenCacheSuite('memory (keyv Map, in-process bus)', async () => {
  const map = new Map<string, unknown>();
  const keyv = new Keyv({ store: map, namespace: undefined, useKeyPrefix: false });
  const hubs = new Map<string, LocalInvalidationHub>();
  return {
    namespacePrefix: `mem-${randomId()}`,
    createReplica(options) {
      let hub = hubs.get(options.namespace);
      if (hub === undefined) {
        hub = createLocalInvalidationHub();
        hubs.set(options.namespace, hub);
      }
      return createTokenCache({ ...options, store: keyv, invalidationBus: hub.bus() });
    },
    rawValue: async (storeKey) => map.get(storeKey) as string | undefined,
    writeRaw: async (storeKey, value) => {
      map.set(storeKey, value);
    },
    deleteRaw: async (storeKey) => {
      map.delete(storeKey);
    },
    close: async () => {},
  };
});
