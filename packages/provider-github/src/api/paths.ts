/** Encodes a slash-separated path (file path, branch name) segment by segment, dropping empty segments. */
export function encodeSegments(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      // URL parsing would resolve dot segments and escape the repository; input schemas refuse them too.
      if (segment === '.' || segment === '..')
        throw new RangeError('path segments "." and ".." are not allowed');
      return encodeURIComponent(segment);
    })
    .join('/');
}

/** `/repos/{owner}/{repo}` followed by the given sub-path (already encoded or literal). */
export function repoPath(owner: string, repo: string, rest = ''): string {
  return `/repos/${encodeSegments(owner)}/${encodeSegments(repo)}${rest}`;
}
