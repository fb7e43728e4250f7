import { defineTool } from '@org/mcp-oauth-core';
import { z } from 'zod';
import { clientFor } from '../api/context.js';
import { arr, int, obj, str } from '../api/json.js';
import { encodeSegments, repoPath } from '../api/paths.js';
import { decodeContent, MAX_FILE_BYTES } from '../api/trim.js';
import { readAnnotations } from './shared/annotations.js';
import { filePathArg, ownerArg, refArg, repoArg } from './shared/args.js';

/** Directory entries returned at most (GitHub itself lists up to 1,000). */
const MAX_ENTRIES = 1000;

const entrySchema = z.object({
  name: z.string(),
  path: z.string(),
  type: z.string().describe('file, dir, symlink or submodule'),
  size: z.number().int().nullable(),
  sha: z.string().nullable(),
});

const output = z.object({
  kind: z.enum(['file', 'dir', 'symlink', 'submodule']),
  path: z.string(),
  sha: z
    .string()
    .nullable()
    .describe('Blob SHA of a file: pass it as `sha` to create_or_update_file to update it'),
  size: z.number().int().nullable().describe('Size in bytes'),
  html_url: z.string().nullable(),
  content: z.string().nullable().describe('UTF-8 text of a file; null for directories and binary files'),
  truncated: z
    .boolean()
    .describe(`True when content stops before the end of the file (limit ${MAX_FILE_BYTES} bytes)`),
  binary: z.boolean(),
  entries: z.array(entrySchema).nullable().describe('Entries of a directory; null for a file'),
});

type Output = z.infer<typeof output>;

function toEntry(value: unknown): z.infer<typeof entrySchema> {
  const raw = obj(value);
  return {
    name: str(raw.name) ?? '',
    path: str(raw.path) ?? '',
    type: str(raw.type) ?? 'file',
    size: int(raw.size),
    sha: str(raw.sha),
  };
}

function render(result: Output): string {
  if (result.kind === 'dir') {
    const lines = (result.entries ?? []).map((e) => `${e.type === 'dir' ? 'dir ' : 'file'} ${e.path}`);
    return [`Directory /${result.path} (${lines.length} entries):`, ...lines].join('\n');
  }
  const header = `${result.kind} ${result.path} (${result.size ?? '?'} bytes, sha ${result.sha ?? '?'})`;
  if (result.binary) return `${header}: binary content not shown.`;
  if (result.content === null) return `${header}: content not available through the API (too large).`;
  const note = result.truncated ? `\n[truncated after ${MAX_FILE_BYTES} bytes]` : '';
  return `${header}:\n${result.content}${note}`;
}

/** `get_file_contents`: a file's text or a directory listing (same name and arguments as github-mcp-server). */
export const getFileContents = defineTool({
  name: 'get_file_contents',
  title: 'Get file or directory contents',
  description:
    'Get the contents of a file or directory from a GitHub repository. For a file, returns its UTF-8 text ' +
    `(at most ${MAX_FILE_BYTES / 1024} KiB; truncated is true when cut), its size and its blob sha, which ` +
    'create_or_update_file needs to update the file. For a directory, returns its entries (name, path, type). ' +
    'Reads the default branch unless ref (branch, tag, refs/…) or sha (commit) is given. Private repositories ' +
    'need the repo scope.',
  input: z.object({
    owner: ownerArg,
    repo: repoArg,
    path: filePathArg.default('/').describe('Path to file/directory'),
    ref: refArg
      .optional()
      .describe(
        'Accepts optional git refs such as `refs/tags/{tag}`, `refs/heads/{branch}` or `refs/pull/{pr_number}/head`',
      ),
    sha: refArg
      .optional()
      .describe('Accepts optional commit SHA. If specified, it will be used instead of ref'),
  }),
  output,
  annotations: readAnnotations('Get file or directory contents'),
  scopes: [],
  readOnly: true,
  toolset: 'repos',
  async handler(args, context) {
    const encoded = encodeSegments(args.path);
    const { data } = await clientFor(context).request<unknown>(
      'GET',
      repoPath(args.owner, args.repo, `/contents${encoded ? `/${encoded}` : ''}`),
      { query: { ref: args.sha ?? args.ref } },
    );
    let structured: Output;
    if (Array.isArray(data)) {
      structured = {
        kind: 'dir',
        path: args.path.replace(/^\/+|\/+$/g, ''),
        sha: null,
        size: null,
        html_url: null,
        content: null,
        truncated: data.length > MAX_ENTRIES,
        binary: false,
        entries: arr(data).slice(0, MAX_ENTRIES).map(toEntry),
      };
    } else {
      const raw = obj(data);
      const type = str(raw.type);
      const kind = type === 'symlink' || type === 'submodule' ? type : 'file';
      const decoded =
        kind === 'file'
          ? decodeContent(raw.content, raw.encoding)
          : { text: str(raw.target) ?? str(raw.submodule_git_url), truncated: false, binary: false };
      structured = {
        kind,
        path: str(raw.path) ?? args.path,
        sha: str(raw.sha),
        size: int(raw.size),
        html_url: str(raw.html_url),
        content: decoded.text,
        truncated: decoded.truncated,
        binary: decoded.binary,
        entries: null,
      };
    }
    return { structured, text: render(structured) };
  },
});
