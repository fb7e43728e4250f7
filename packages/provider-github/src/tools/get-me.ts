import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { GitHubApiError } from '../api/errors.js';
import { obj } from '../api/json.js';
import { readAnnotations } from './shared/annotations.js';

const nullableString = z.string().nullable();
const nullableCount = z.number().int().nullable();

/** Output of `get_me`: the authenticated user's GitHub profile. */
export const getMeOutput = z.object({
  login: z.string().describe('GitHub username; use it as `owner` for the user’s own repositories'),
  id: z.number().int().describe('Numeric user id (stable across renames)'),
  node_id: nullableString,
  name: nullableString,
  email: nullableString.describe('Public e-mail, null when hidden'),
  avatar_url: nullableString,
  html_url: nullableString.describe('Profile page'),
  type: nullableString.describe('User, Organization or Bot'),
  site_admin: z.boolean().nullable(),
  company: nullableString,
  blog: nullableString,
  location: nullableString,
  bio: nullableString,
  public_repos: nullableCount,
  followers: nullableCount,
  following: nullableCount,
  created_at: nullableString,
  updated_at: nullableString,
});

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** `get_me`: the GitHub profile of the account this instance is connected to (same name as github-mcp-server). */
export const getMe = defineTool({
  name: 'get_me',
  title: 'Get my GitHub profile',
  description:
    'Get the GitHub profile of the authenticated user, i.e. the account this connection acts as. ' +
    'Use it to learn who "me" is before other GitHub calls, for example to find the login to pass as `owner` ' +
    'for the user’s own repositories. Takes no arguments. Returns login, numeric id, name, public e-mail, ' +
    'company, blog, location, bio, public repository and follower counts, profile URL and account dates.',
  input: z.object({}),
  output: getMeOutput,
  annotations: readAnnotations('Get my GitHub profile'),
  // `GET /user` answers for any valid token, whatever its scopes.
  scopes: [],
  readOnly: true,
  toolset: 'context',
  async handler(_args, context) {
    const data = obj((await clientFor(context).request<unknown>('GET', '/user')).data);
    const login = text(data.login);
    const id = count(data.id);
    if (login === null || id === null) {
      throw new GitHubApiError('GITHUB_API_ERROR', 'GitHub returned a user without login or id.');
    }
    return {
      structured: {
        login,
        id,
        node_id: text(data.node_id),
        name: text(data.name),
        email: text(data.email),
        avatar_url: text(data.avatar_url),
        html_url: text(data.html_url),
        type: text(data.type),
        site_admin: typeof data.site_admin === 'boolean' ? data.site_admin : null,
        company: text(data.company),
        blog: text(data.blog),
        location: text(data.location),
        bio: text(data.bio),
        public_repos: count(data.public_repos),
        followers: count(data.followers),
        following: count(data.following),
        created_at: text(data.created_at),
        updated_at: text(data.updated_at),
      },
    };
  },
});
