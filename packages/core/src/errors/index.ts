export { isMcpOAuthError, McpOAuthError } from './base.js';
export type {
  ConfigErrorCode,
  CryptoErrorCode,
  InstanceErrorCode,
  OAuthFlowErrorCode,
  RefreshErrorCode,
  RevocationErrorCode,
  StoreErrorCode,
} from './codes.js';
export {
  ConfigError,
  CryptoError,
  InstanceError,
  OAuthFlowError,
  RefreshError,
  RevocationError,
  StoreError,
} from './codes.js';
