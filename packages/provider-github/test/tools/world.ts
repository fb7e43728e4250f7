import type { ToolContext, ToolDefinition } from '@org/mcp-oauth-core';
import { type FakeGitHub, startFakeGitHub } from '@org/mcp-oauth-testing';
import { expect } from 'vitest';
import { GitHubApiError } from '../../src/index.js';
import { toolContext } from '../helpers.js';

/** A fake GitHub seeded with the repositories every tool test uses. */
export interface World {
  gh: FakeGitHub;
  /** A context whose token has `repo` and `read:user`. */
  full(): ToolContext;
  /** A context whose token has only `read:user`. */
  readOnly(): ToolContext;
  /** A context for a fresh token with the given scopes. */
  withScopes(scopes: string[]): ToolContext;
  close(): Promise<void>;
}

/**
 * Seeds `owner/name` with: README.md, src/index.ts, src/util/math.ts, docs/guide.md; four more commits on
 * main touching counter.txt; branches `feature` and `fix` with one commit each; issues #1–#5 (#3 closed);
 * pull requests #6 (feature → main) and #7 (fix → main).
 */
export function seedRepo(gh: FakeGitHub, owner: string, name: string, isPrivate = false): void {
  const full = `${owner}/${name}`;
  const f = gh.fixtures;
  f.addRepo({
    owner,
    name,
    private: isPrivate,
    description: `${name}: a demo repository for greeting people`,
    language: 'TypeScript',
    topics: ['demo', 'greeting'],
    stargazers_count: isPrivate ? 1 : 42,
    files: {
      'README.md': `# ${name}\n\nSays hello.\n`,
      'src/index.ts': "export const greeting = 'hello world';\n",
      'src/util/math.ts': 'export const add = (a: number, b: number): number => a + b;\n',
      'docs/guide.md': 'Run `npm start` to greet.\n',
    },
  });
  for (let i = 1; i <= 4; i += 1)
    f.commit(full, { message: `Count to ${i}\n\nBody ${i}`, files: { 'counter.txt': `${i}\n` } });
  f.commit(full, {
    branch: 'feature',
    message: 'Add farewell',
    files: { 'src/farewell.ts': "export const bye = 'bye';\n" },
  });
  f.commit(full, {
    branch: 'fix',
    message: 'Fix greeting',
    files: { 'src/index.ts': "export const greeting = 'hello, world';\n" },
  });
  f.addIssue(full, {
    title: 'Crash on start',
    body: 'It crashes when started.',
    labels: ['bug'],
    assignees: ['octocat'],
    comments: ['Same here'],
  });
  f.addIssue(full, {
    title: 'Dark mode',
    body: 'Please add a dark mode.',
    labels: ['enhancement'],
    user: 'hubot',
  });
  f.addIssue(full, { title: 'Typo in docs', body: 'teh → the', labels: ['docs'], state: 'closed' });
  f.addIssue(full, {
    title: 'Slow greeting',
    body: 'Greeting takes seconds.',
    labels: ['bug', 'performance'],
  });
  f.addIssue(full, { title: 'Long report', body: `${'x'.repeat(30_000)}`, labels: [] });
  f.addPull(full, { title: 'Add farewell', head: 'feature', body: 'Adds a farewell message.' });
  f.addPull(full, { title: 'Fix greeting punctuation', head: 'fix', body: 'Adds a comma.', draft: true });
}

/** Starts a fake GitHub with octocat/hello-world (public), octocat/secret (private) and hubot/tools. */
export async function startWorld(): Promise<World> {
  const gh = await startFakeGitHub();
  gh.addUser({ login: 'monalisa', id: 2, name: 'Mona Lisa Octocat' });
  seedRepo(gh, 'octocat', 'hello-world');
  seedRepo(gh, 'octocat', 'secret', true);
  gh.fixtures.addRepo({
    owner: 'hubot',
    name: 'tools',
    description: 'Chat tools for greeting robots',
    language: 'Go',
    stargazers_count: 7,
    files: { 'main.go': 'package main\n\nfunc main() { println("hello robots") }\n' },
  });
  const withScopes = (scopes: string[]): ToolContext =>
    toolContext({ accessToken: gh.issueToken({ scopes }).access_token, apiBaseUrl: gh.apiUrl, scopes });
  return {
    gh,
    full: () => withScopes(['repo', 'read:user']),
    readOnly: () => withScopes(['read:user']),
    withScopes,
    close: () => gh.close(),
  };
}

/** Calls a tool as the MCP SDK would: input parsed (defaults applied), output checked against its schema. */
export async function call(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  context: ToolContext,
): Promise<{ structured: Record<string, unknown>; text: string }> {
  const result = await tool.handler(tool.input.parse(args), context);
  expect(tool.output.parse(result.structured)).toEqual(result.structured);
  expect(typeof result.text).toBe('string');
  return { structured: result.structured, text: result.text ?? '' };
}

/** Calls a tool that must fail and returns its {@link GitHubApiError}. */
export async function callError(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  context: ToolContext,
): Promise<GitHubApiError> {
  const error = await tool.handler(tool.input.parse(args), context).then(
    () => {
      throw new Error(`${tool.name} succeeded but was expected to fail`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitHubApiError);
  return error as GitHubApiError;
}
