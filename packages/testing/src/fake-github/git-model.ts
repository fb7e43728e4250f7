import { createHash } from 'node:crypto';
import type { FakeCommit, FakeRepo } from './repo-types.js';

/** GitHub's timestamp format: ISO 8601 without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The git blob SHA of a text (`sha1("blob <len>\0<content>")`), as the contents API reports it. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex');
}

/** A deterministic-looking commit SHA. */
export function commitSha(parts: readonly string[]): string {
  return createHash('sha1').update(parts.join('\n')).digest('hex');
}

/** Resolves a branch name, full SHA or unique SHA prefix (≥ 7) to a commit. */
export function resolveRef(repo: FakeRepo, ref: string): FakeCommit | undefined {
  const name = ref.replace(/^refs\/heads\//, '');
  const branchSha = repo.branches.get(name);
  if (branchSha) return repo.commits.get(branchSha);
  if (/^[0-9a-f]{7,40}$/.test(ref)) {
    const matches = [...repo.commits.values()].filter((c) => c.sha.startsWith(ref));
    return matches.length === 1 ? matches[0] : undefined;
  }
  return undefined;
}

/** Commits reachable from `head` by first parents, newest first. */
export function history(repo: FakeRepo, head: FakeCommit): FakeCommit[] {
  const out: FakeCommit[] = [];
  let current: FakeCommit | undefined = head;
  while (current) {
    out.push(current);
    const parent: string | undefined = current.parents[0];
    current = parent ? repo.commits.get(parent) : undefined;
  }
  return out;
}

/** One changed file, in the shape of GitHub's `files[]`. */
export interface FakeFileChange {
  sha: string | null;
  filename: string;
  status: 'added' | 'removed' | 'modified';
  additions: number;
  deletions: number;
  changes: number;
  patch: string;
}

function lines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

/** A single-hunk unified diff: common leading and trailing lines kept out, the middle replaced. */
function patchOf(before: string, after: string): { patch: string; additions: number; deletions: number } {
  const a = lines(before);
  const b = lines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const removed = a.slice(start, endA);
  const added = b.slice(start, endB);
  const header = `@@ -${removed.length ? start + 1 : start},${removed.length} +${added.length ? start + 1 : start},${added.length} @@`;
  const body = [...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`)];
  return { patch: [header, ...body].join('\n'), additions: added.length, deletions: removed.length };
}

/** Files that differ between two snapshots, sorted by path. */
export function diffTrees(before: Map<string, string>, after: Map<string, string>): FakeFileChange[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: FakeFileChange[] = [];
  for (const filename of paths) {
    const old = before.get(filename);
    const next = after.get(filename);
    if (old === next) continue;
    const status = old === undefined ? 'added' : next === undefined ? 'removed' : 'modified';
    const { patch, additions, deletions } = patchOf(old ?? '', next ?? '');
    out.push({
      sha: next === undefined ? null : blobSha(next),
      filename,
      status,
      additions,
      deletions,
      changes: additions + deletions,
      patch,
    });
  }
  return out;
}
