import { blobSha } from './git-model.js';
import type { FakeRepo } from './repo-types.js';
import { canRead, pageOf, type RestExchange, restError, sendRest, validationFailed } from './rest-common.js';
import { issueView, repoView, userView } from './rest-views.js';
import { sortIssues } from './routes-issues.js';
import { matchesNumber, matchesTerms, parseSearchQuery, type SearchQuery, values } from './search-query.js';

const CANNOT_SEARCH =
  'The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.';

const EXTENSIONS: Record<string, string> = {
  ts: 'typescript',
  js: 'javascript',
  md: 'markdown',
  py: 'python',
  go: 'go',
  json: 'json',
};

function visibleRepos(x: RestExchange): FakeRepo[] {
  return [...x.ctx.state.repos.values()].filter((repo) => canRead(x.caller, repo));
}

/**
 * Applies `repo:`, `user:`/`org:` qualifiers. Naming a repository or user that does not exist or cannot be
 * seen makes GitHub answer 422; returns `null` after answering so.
 */
function scopeRepos(x: RestExchange, query: SearchQuery): FakeRepo[] | null {
  let repos = visibleRepos(x);
  const named = values(query, 'repo').map((v) => v.toLowerCase());
  const owners = [...values(query, 'user'), ...values(query, 'org')].map((v) => v.toLowerCase());
  const missing =
    named.some((full) => !repos.some((r) => `${r.owner}/${r.name}`.toLowerCase() === full)) ||
    owners.some(
      (owner) => !x.ctx.state.users.has(owner) && !repos.some((r) => r.owner.toLowerCase() === owner),
    );
  if (missing) {
    validationFailed(x, [{ message: CANNOT_SEARCH, resource: 'Search', field: 'q', code: 'invalid' }]);
    return null;
  }
  if (named.length > 0) repos = repos.filter((r) => named.includes(`${r.owner}/${r.name}`.toLowerCase()));
  if (owners.length > 0) repos = repos.filter((r) => owners.includes(r.owner.toLowerCase()));
  return repos;
}

function sendResults(x: RestExchange, all: readonly unknown[]) {
  const { items, link } = pageOf(x, all);
  const incomplete_results = x.ctx.state.searchIncompleteResults;
  sendRest(x, 200, { total_count: all.length, incomplete_results, items }, link);
}

function query(x: RestExchange): SearchQuery | null {
  const q = x.req.url.searchParams.get('q');
  if (!q) {
    validationFailed(x, [{ resource: 'Search', field: 'q', code: 'missing' }]);
    return null;
  }
  if (q.length > 256) {
    validationFailed(x, [
      {
        message: 'The search is longer than 256 characters.',
        resource: 'Search',
        field: 'q',
        code: 'invalid',
      },
    ]);
    return null;
  }
  return parseSearchQuery(q);
}

/** `GET /search/repositories`: name, description and topics; `language:`, `topic:`, `stars:`, `is:` filters. */
export function searchRepositories(x: RestExchange) {
  const q = query(x);
  const scoped = q && scopeRepos(x, q);
  if (!q || !scoped) return;
  const language = values(q, 'language').map((l) => l.toLowerCase());
  const topics = values(q, 'topic');
  const stars = values(q, 'stars');
  const visibility = values(q, 'is');
  const hits = scoped.filter(
    (r) =>
      matchesTerms(q, r.name, r.description, r.topics.join(' ')) &&
      language.every((l) => r.language?.toLowerCase() === l) &&
      topics.every((t) => r.topics.includes(t)) &&
      stars.every((s) => matchesNumber(s, r.stargazers_count)) &&
      visibility.every((v) => (v === 'private' ? r.private : v === 'public' ? !r.private : true)),
  );
  const sort = x.req.url.searchParams.get('sort');
  const sign = x.req.url.searchParams.get('order') === 'asc' ? 1 : -1;
  const key = (r: FakeRepo): number | string =>
    sort === 'forks' ? r.forks_count : sort === 'updated' ? r.updated_at : r.stargazers_count;
  hits.sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id));
  sendResults(
    x,
    hits.map((r) => ({ ...repoView(x.ctx, r), score: 1 })),
  );
}

/** `GET /search/issues`: title and body; `is:`, `state:`, `label:`, `author:`, `assignee:` filters. */
export function searchIssues(x: RestExchange) {
  const q = query(x);
  const scoped = q && scopeRepos(x, q);
  if (!q || !scoped) return;
  const is = values(q, 'is');
  const kinds = [...is, ...values(q, 'type')];
  const wantPr = kinds.some((k) => k === 'pr' || k === 'pull-request');
  const wantIssue = kinds.includes('issue');
  const states = [...values(q, 'state'), ...is.filter((v) => v === 'open' || v === 'closed')];
  const labels = values(q, 'label');
  const authors = values(q, 'author');
  const assignees = values(q, 'assignee');
  const hits = scoped.flatMap((repo) =>
    sortIssues(
      [...repo.issues.values()],
      x.req.url.searchParams.get('sort'),
      x.req.url.searchParams.get('order'),
    )
      .filter(
        (i) =>
          (!wantPr || i.pull !== null) &&
          (!wantIssue || i.pull === null) &&
          states.every((s) => i.state === s) &&
          labels.every((l) => i.labels.includes(l)) &&
          authors.every((a) => i.user === a) &&
          assignees.every((a) => i.assignees.includes(a)) &&
          matchesTerms(q, i.title, i.body),
      )
      .map((i) => ({ ...issueView(x.ctx, repo, i), score: 1 })),
  );
  sendResults(x, hits);
}

function fragment(content: string, term: string | undefined): string {
  const lower = content.toLowerCase();
  const at = term ? lower.indexOf(term) : 0;
  const start = Math.max(0, content.lastIndexOf('\n', Math.max(0, at - 1)) + 1);
  const end = content.indexOf('\n', at + (term?.length ?? 0));
  return content.slice(start, end === -1 ? undefined : end);
}

/**
 * `GET /search/code`: default branches of visible repositories; `path:`, `filename:`, `extension:`,
 * `language:` filters; `text_matches` when the `text-match` media type is asked for. Needs authentication.
 */
export function searchCode(x: RestExchange) {
  if (x.caller.login === null) return restError(x, 401, 'Requires authentication');
  const q = query(x);
  const scoped = q && scopeRepos(x, q);
  if (!q || !scoped) return;
  const paths = values(q, 'path');
  const filenames = values(q, 'filename');
  const extensions = values(q, 'extension');
  const languages = values(q, 'language').map((l) => l.toLowerCase());
  const textMatch = (x.req.headers.accept ?? '').includes('text-match');
  const hits = scoped.flatMap((repo) => {
    const tip = repo.commits.get(repo.branches.get(repo.default_branch) ?? '');
    return [...(tip?.tree ?? new Map<string, string>())]
      .filter(([path, content]) => {
        const name = path.split('/').pop() ?? path;
        const ext = name.includes('.') ? (name.split('.').pop() ?? '') : '';
        return (
          paths.every((p) => path.startsWith(p.replace(/^\//, ''))) &&
          filenames.every((f) => name === f) &&
          extensions.every((e) => ext === e) &&
          languages.every((l) => EXTENSIONS[ext] === l) &&
          matchesTerms(q, content)
        );
      })
      .map(([path, content]) => ({
        name: path.split('/').pop() ?? path,
        path,
        sha: blobSha(content),
        url: `${x.ctx.baseUrl}/api/v3/repos/${repo.owner}/${repo.name}/contents/${path}`,
        html_url: `${x.ctx.baseUrl}/${repo.owner}/${repo.name}/blob/${repo.default_branch}/${path}`,
        repository: repoView(x.ctx, repo),
        score: 1,
        ...(textMatch
          ? {
              text_matches: q.terms.slice(0, 3).map((t) => ({
                object_type: 'FileContent',
                property: 'content',
                fragment: fragment(content, t),
                matches: [{ text: t }],
              })),
            }
          : {}),
      }));
  });
  sendResults(x, hits);
}

/** `GET /search/users`: login and name; `type:user|org` filter. */
export function searchUsers(x: RestExchange) {
  const q = query(x);
  if (!q) return;
  const types = values(q, 'type').map((t) => t.toLowerCase());
  const hits = [...x.ctx.state.users.values()]
    .filter(
      (u) =>
        types.every((t) => (t === 'org' ? u.type === 'Organization' : u.type !== 'Organization')) &&
        matchesTerms(q, u.login, u.name),
    )
    .sort((a, b) => a.login.localeCompare(b.login))
    .map((u) => ({ ...userView(x.ctx, u.login), score: 1 }));
  sendResults(x, hits);
}
