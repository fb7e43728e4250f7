import { describe, expect, it } from 'vitest';
import { matchPathTemplate, PathUriTemplate } from '../../src/mcp/uri-template.js';

const REPO = 'repo://{owner}/{repo}/contents{/path*}';

describe('matchPathTemplate / PathUriTemplate', () => {
  it('an exploded path variable takes any number of segments, decoded', () => {
    expect(matchPathTemplate(REPO, 'repo://o/r/contents/src/a%20b/index.ts')).toEqual({
      owner: 'o',
      repo: 'r',
      path: ['src', 'a b', 'index.ts'],
    });
    expect(matchPathTemplate(REPO, 'repo://o/r/contents/README.md')).toEqual({
      owner: 'o',
      repo: 'r',
      path: ['README.md'],
    });
  });

  it('no segment leaves the variable out (the root)', () => {
    expect(matchPathTemplate(REPO, 'repo://o/r/contents')).toEqual({ owner: 'o', repo: 'r' });
  });

  it('null when the URI does not fit; undefined for operators it does not handle', () => {
    expect(matchPathTemplate(REPO, 'repo://o/contents/x')).toBeNull();
    expect(matchPathTemplate(REPO, 'other://o/r/contents/x')).toBeNull();
    expect(matchPathTemplate('search{?q}', 'search?q=x')).toBeUndefined();
  });

  it('PathUriTemplate keeps the SDK matching for other operators and lists the template unchanged', () => {
    expect(new PathUriTemplate('search{?q}').match('search?q=x')).toEqual({ q: 'x' });
    expect(new PathUriTemplate(REPO).match('repo://o/r/contents/a/b')).toEqual({
      owner: 'o',
      repo: 'r',
      path: ['a', 'b'],
    });
    expect(new PathUriTemplate(REPO).toString()).toBe(REPO);
  });
});
