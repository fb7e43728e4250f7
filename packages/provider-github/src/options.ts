import { ConfigError } from '@org/mcp-oauth-core';

/** Options of {@link github}. */
export interface GitHubProviderOptions {
  /**
   * Web URL of GitHub: `https://github.com`, or your GitHub Enterprise Server (`https://ghe.example.com`).
   * The OAuth endpoints are `${baseUrl}/login/oauth/authorize` and `${baseUrl}/login/oauth/access_token`.
   * @default 'https://github.com'
   */
  baseUrl?: string;
  /**
   * REST API base URL.
   * @default 'https://api.github.com' for github.com, `${baseUrl}/api/v3` for any other `baseUrl` (Enterprise Server)
   */
  apiUrl?: string;
  /**
   * Scopes requested when an instance names none. `read:user` is enough for `get_me`; repository tools need `repo`.
   * GitHub Apps ignore scopes (they use the app's permissions).
   * @default ['read:user']
   */
  scopes?: readonly string[];
  /**
   * Kind of GitHub app whose client id and secret you use. Only narrows the client id plausibility check
   * (`Ov23…`/20 hex for OAuth Apps, `Iv1.…`/`Iv23…` for GitHub Apps); token expiry is read from each token
   * response either way.
   * @default undefined: any GitHub client id shape is accepted
   */
  appType?: 'oauth-app' | 'github-app';
}

/** Options after validation and defaults. */
export interface ResolvedGitHubOptions {
  /** Without trailing slash. */
  baseUrl: string;
  /** Without trailing slash. */
  apiUrl: string;
  scopes: readonly string[];
  appType: 'oauth-app' | 'github-app' | undefined;
}

const DOTCOM = 'https://github.com';
const DOTCOM_API = 'https://api.github.com';
const SCOPE = /^[a-z0-9][a-z0-9:_-]*$/i;

function parseBase(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(option, 'must be a non-empty URL string');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigError(option, 'must be an absolute URL', { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(option, 'must use https (or http for local testing)');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(option, 'must not contain credentials, a query or a fragment');
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Validates the options once, at provider creation.
 * @throws ConfigError naming the bad option (`github.baseUrl`, `github.apiUrl`, `github.scopes`, `github.appType`).
 */
export function resolveGitHubOptions(options: GitHubProviderOptions = {}): ResolvedGitHubOptions {
  const baseUrl = options.baseUrl === undefined ? DOTCOM : parseBase('github.baseUrl', options.baseUrl);
  const isDotcom = new URL(baseUrl).host === 'github.com';
  const apiUrl =
    options.apiUrl !== undefined
      ? parseBase('github.apiUrl', options.apiUrl)
      : isDotcom
        ? DOTCOM_API
        : `${baseUrl}/api/v3`;
  const scopes = options.scopes ?? ['read:user'];
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || !SCOPE.test(scope))) {
    throw new ConfigError(
      'github.scopes',
      'must be an array of GitHub scope names such as "repo" or "read:user"',
    );
  }
  const appType = options.appType;
  if (appType !== undefined && appType !== 'oauth-app' && appType !== 'github-app') {
    throw new ConfigError('github.appType', 'must be "oauth-app" or "github-app"');
  }
  return { baseUrl, apiUrl, scopes: [...new Set(scopes)], appType };
}
