export type { GoogleApiErrorCode } from './errors.js';
export { GoogleApiError } from './errors.js';
export type { GoogleProviderOptions } from './provider.js';
export { google } from './provider.js';
