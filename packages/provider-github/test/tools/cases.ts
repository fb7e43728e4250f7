/**
 * Valid arguments for every tool against a repository seeded by `seedRepo` (so the same call can target the
 * public repository, the private one, or one that does not exist). `null` for tools not tied to a repository.
 */
export function argsFor(tool: string, owner: string, repo: string): Record<string, unknown> {
  const r = { owner, repo };
  const byTool: Record<string, Record<string, unknown>> = {
    get_me: {},
    search_repositories: { query: `repo:${owner}/${repo} greeting` },
    search_code: { query: `greeting repo:${owner}/${repo}` },
    search_issues: { query: 'crash', owner, repo },
    search_users: { query: 'octo' },
    get_file_contents: { ...r, path: 'README.md' },
    list_branches: r,
    list_commits: r,
    get_commit: { ...r, sha: 'main' },
    create_branch: { ...r, branch: 'new-branch' },
    create_or_update_file: {
      ...r,
      path: 'notes/new.md',
      content: 'new\n',
      message: 'Add notes',
      branch: 'main',
    },
    list_issues: r,
    get_issue: { ...r, issue_number: 1 },
    create_issue: { ...r, title: 'New issue' },
    update_issue: { ...r, issue_number: 1, title: 'Renamed' },
    add_issue_comment: { ...r, issue_number: 1, body: 'Thanks!' },
    list_pull_requests: r,
    get_pull_request: { ...r, pullNumber: 6 },
    get_pull_request_files: { ...r, pullNumber: 6 },
    create_pull_request: { ...r, title: 'New PR', head: 'feature', base: 'main' },
    merge_pull_request: { ...r, pullNumber: 6 },
  };
  const args = byTool[tool];
  if (!args) throw new Error(`no sample arguments for ${tool}`);
  return args;
}

/** Tools whose path names the repository (`/repos/{owner}/{repo}/…`): 404 and private-repo cases apply. */
export const REPO_TOOLS = [
  'get_file_contents',
  'list_branches',
  'list_commits',
  'get_commit',
  'create_branch',
  'create_or_update_file',
  'list_issues',
  'get_issue',
  'create_issue',
  'update_issue',
  'add_issue_comment',
  'list_pull_requests',
  'get_pull_request',
  'get_pull_request_files',
  'create_pull_request',
  'merge_pull_request',
] as const;

/** Search tools: a repository they cannot see in a `repo:` qualifier is a 422, not a 404. */
export const SEARCH_REPO_TOOLS = ['search_repositories', 'search_code', 'search_issues'] as const;
