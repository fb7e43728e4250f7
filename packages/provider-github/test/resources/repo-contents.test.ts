import { matchPathTemplate } from '@org/mcp-oauth-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApiError, github, REPO_CONTENTS_TEMPLATE, repoContents } from '../../src/index.js';
import { startWorld, type World } from '../tools/world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

/** The text of the first content (failing the test when it is a blob). */
function textOf(result: { contents: ReadonlyArray<object> }): string {
  const first = result.contents[0];
  expect(first).toHaveProperty('text');
  return first !== undefined && 'text' in first ? String(first.text) : '';
}

/** Reads `uri` as core would: variables from the template match, then the template's `read`. */
async function read(uri: string, context = w.full()) {
  const variables = matchPathTemplate(REPO_CONTENTS_TEMPLATE, uri);
  if (!variables) throw new Error(`${uri} does not match ${REPO_CONTENTS_TEMPLATE}`);
  return repoContents.read(new URL(uri), variables, context);
}

describe('repo://{owner}/{repo}/contents{/path*} against the fake GitHub', () => {
  it('is the provider’s resource template, with the tool’s scopes and toolset', () => {
    expect(github().resourceTemplates).toEqual([repoContents]);
    expect(repoContents).toMatchObject({ uriTemplate: REPO_CONTENTS_TEMPLATE, scopes: [], toolset: 'repos' });
  });

  it('reads a nested file as text with a MIME type from its extension', async () => {
    const uri = 'repo://octocat/hello-world/contents/src/util/math.ts';
    expect(await read(uri)).toEqual({
      contents: [
        {
          uri,
          mimeType: 'text/typescript',
          text: 'export const add = (a: number, b: number): number => a + b;\n',
        },
      ],
    });
    const readme = await read('repo://octocat/hello-world/contents/README.md');
    expect(readme.contents[0]).toMatchObject({
      mimeType: 'text/markdown',
      text: '# hello-world\n\nSays hello.\n',
    });
  });

  it('lists a directory, the root when no path is given, as JSON entries', async () => {
    const root = await read('repo://octocat/hello-world/contents');
    expect(root.contents[0]?.mimeType).toBe('application/json');
    const entries = JSON.parse(textOf(root)) as Array<{ path: string; type: string }>;
    expect(entries.map((entry) => `${entry.type}:${entry.path}`)).toEqual([
      'file:counter.txt',
      'dir:docs',
      'file:README.md',
      'dir:src',
    ]);
    const src = await read('repo://octocat/hello-world/contents/src');
    expect((JSON.parse(textOf(src)) as Array<{ name: string }>).map((e) => e.name)).toEqual([
      'index.ts',
      'util',
    ]);
  });

  it('a private repository needs the repo scope (403); a missing file is an upstream 404', async () => {
    const privateFile = await read('repo://octocat/secret/contents/README.md');
    expect(privateFile.contents[0]).toMatchObject({ text: '# secret\n\nSays hello.\n' });
    const hidden = await read('repo://octocat/secret/contents/README.md', w.readOnly()).catch(
      (e: unknown) => e,
    );
    expect(hidden).toBeInstanceOf(GitHubApiError);
    expect((hidden as GitHubApiError).status).toBe(403);
    const missing = await read('repo://octocat/hello-world/contents/nope.txt').catch((e: unknown) => e);
    expect((missing as GitHubApiError).status).toBe(404);
  });
});
