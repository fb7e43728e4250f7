export {
  FAKE_GOOGLE_CLIENT,
  FAKE_GOOGLE_USERS,
  GOOGLE_ACCESS_TOKEN_SECONDS,
  GOOGLE_ISSUER,
  normalizeGoogleScope,
} from './defaults.js';
export type { FakeGoogle, FakeGoogleOptions } from './server.js';
export { startFakeGoogle } from './server.js';
export type {
  FakeGoogleClient,
  FakeGoogleCode,
  FakeGoogleFault,
  FakeGoogleRequest,
  FakeGoogleRoute,
  FakeGoogleState,
  FakeGoogleToken,
  FakeGoogleUser,
} from './types.js';
