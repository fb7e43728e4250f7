import { defineResourceTemplate, type ResourceContext } from '@org/mcp-oauth-core';
import { getFileContents } from '../tools/get-file-contents.js';

/** RFC 6570 template of repository contents (as in github-mcp-server). */
export const REPO_CONTENTS_TEMPLATE = 'repo://{owner}/{repo}/contents{/path*}';

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  md: 'text/markdown',
  json: 'application/json',
  html: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  ts: 'text/typescript',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  xml: 'application/xml',
};

/** A text file's MIME type from its extension (`text/plain` when unknown). */
export function mimeTypeOf(path: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (extension === undefined ? undefined : MIME_BY_EXTENSION[extension]) ?? 'text/plain';
}

function single(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}

/**
 * `repo://{owner}/{repo}/contents{/path*}`: a file's text (MIME type from its extension) or, for a directory,
 * its entries as JSON (`application/json`). Reuses `get_file_contents` (same size limit, trimming, errors:
 * a missing file is an upstream 404, i.e. "resource not found"); binary files come back as a short note, not
 * their bytes. Default branch; scopes and toolset as the tool.
 */
export const repoContents = defineResourceTemplate({
  name: 'repository_content',
  uriTemplate: REPO_CONTENTS_TEMPLATE,
  title: 'Repository content',
  description:
    'Contents of a file or directory of a GitHub repository on its default branch: the UTF-8 text of a file, ' +
    'or the entries (name, path, type) of a directory as JSON.',
  scopes: getFileContents.scopes,
  toolset: getFileContents.toolset,
  async read(uri, variables, context: ResourceContext) {
    const args = getFileContents.input.parse({
      owner: single(variables.owner),
      repo: single(variables.repo),
      path: single(variables.path) || '/',
    });
    const { structured, text } = await getFileContents.handler(args, context);
    if (structured.kind === 'dir') {
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(structured.entries) }],
      };
    }
    const content = typeof structured.content === 'string' && !structured.binary ? structured.content : null;
    return {
      contents: [
        content === null || structured.truncated === true
          ? { uri: uri.href, mimeType: 'text/plain', text: text ?? '' }
          : { uri: uri.href, mimeType: mimeTypeOf(String(structured.path)), text: content },
      ],
    };
  },
});
