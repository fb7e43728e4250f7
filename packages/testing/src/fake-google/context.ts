import type { FakeGoogleSigningKey } from './id-token.js';
import type { FakeGoogleState } from './types.js';

/** What the route handlers need from the server. */
export interface GoogleRouteContext {
  state: FakeGoogleState;
  now: () => number;
  signingKey: FakeGoogleSigningKey;
  idTokens: boolean;
}
