export { GitHubApiError, type GitHubApiErrorCode } from './api/errors.js';
export type { GitHubProviderOptions } from './options.js';
export { github } from './provider.js';
export { getMe } from './tools/get-me.js';
export { githubTools } from './tools/index.js';
