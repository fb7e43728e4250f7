import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { obj, str } from '../api/json.js';
import { encodeSegments, repoPath } from '../api/paths.js';
import { encodeBase64, firstLine } from '../api/trim.js';
import { writeAnnotations } from './shared/annotations.js';
import { filePathArg, ownerArg, refArg, repoArg } from './shared/args.js';

/** Largest file content accepted, in characters. */
const MAX_CONTENT_CHARS = 1_000_000;

/** `create_or_update_file`: one commit creating or replacing a file (same name and arguments as github-mcp-server). */
export const createOrUpdateFile = defineTool({
  name: 'create_or_update_file',
  title: 'Create or update file',
  description:
    'Create or update a single file in a GitHub repository with one commit on the given branch. Use it for ' +
    'remote changes, not for local files. To update an existing file you MUST pass its current blob sha ' +
    '(get_file_contents returns it); GitHub refuses the update otherwise, and refuses a stale sha (HTTP 409) ' +
    'when the file changed meanwhile. The content is plain UTF-8 text and replaces the whole file. Returns ' +
    'the new blob sha and the commit. Needs the repo scope.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    path: filePathArg.min(1).describe('Path where to create/update the file'),
    content: z.string().max(MAX_CONTENT_CHARS).describe('Content of the file'),
    message: z.string().min(1).max(10_000).describe('Commit message'),
    branch: refArg.describe('Branch to create/update the file in'),
    sha: z
      .string()
      .length(40)
      .regex(/^[0-9a-f]{40}$/)
      .optional()
      .describe('The blob SHA of the file being replaced. Required if the file already exists.'),
  }),
  output: z.object({
    path: z.string(),
    sha: z.string().nullable().describe('New blob SHA of the file (pass it for the next update)'),
    created: z.boolean().describe('True when the file did not exist before'),
    commit: z.object({
      sha: z.string().nullable(),
      message: z.string(),
      html_url: z.string().nullable(),
    }),
  }),
  annotations: writeAnnotations('Create or update file', { destructive: true, idempotent: false }),
  scopes: ['repo'],
  readOnly: false,
  toolset: 'repos',
  async handler(args, context) {
    const { data, status } = await clientFor(context).request<unknown>(
      'PUT',
      repoPath(args.owner, args.repo, `/contents/${encodeSegments(args.path)}`),
      {
        body: {
          message: args.message,
          content: encodeBase64(args.content),
          branch: args.branch,
          ...(args.sha ? { sha: args.sha } : {}),
        },
      },
    );
    const raw = obj(data);
    const content = obj(raw.content);
    const commit = obj(raw.commit);
    const structured = {
      path: str(content.path) ?? args.path,
      sha: str(content.sha),
      created: status === 201,
      commit: { sha: str(commit.sha), message: firstLine(commit.message), html_url: str(commit.html_url) },
    };
    const verb = structured.created ? 'Created' : 'Updated';
    return {
      structured,
      text: `${verb} ${structured.path} on ${args.branch} in commit ${structured.commit.sha ?? '?'} (blob sha ${structured.sha ?? '?'}).`,
    };
  },
});
