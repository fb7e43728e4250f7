import { describe, expect, it } from 'vitest';
import { encodeSegments, repoPath } from '../../src/api/paths.js';
import { clip, createTextBudget, decodeContent, encodeBase64 } from '../../src/api/trim.js';
import { pageInfo, parseLinkHeader } from '../../src/index.js';

describe('Link header pagination', () => {
  const link =
    '<https://api.github.com/repositories/1/issues?state=all&page=3&per_page=2>; rel="next", ' +
    '<https://api.github.com/repositories/1/issues?state=all&page=9&per_page=2>; rel="last", ' +
    '<https://api.github.com/repositories/1/issues?state=all&page=1&per_page=2>; rel="first", ' +
    '<https://api.github.com/repositories/1/issues?state=all&page=1&per_page=2>; rel="prev"';

  it('reads next, last, first and prev page numbers', () => {
    const rels = parseLinkHeader(link);
    expect(Object.fromEntries(Object.entries(rels).map(([k, v]) => [k, v.page]))).toEqual({
      next: 3,
      last: 9,
      first: 1,
      prev: 1,
    });
    expect(pageInfo(new Headers({ link }), 2, 2)).toEqual({ page: 2, perPage: 2, nextPage: 3, lastPage: 9 });
  });

  it('treats a missing Link header as the last page, and tolerates junk', () => {
    expect(pageInfo(new Headers(), 4, 30)).toEqual({ page: 4, perPage: 30, nextPage: null, lastPage: 4 });
    expect(parseLinkHeader('garbage, <not a url>; rel="next"')).toEqual({
      next: { url: 'not a url', page: null },
    });
    expect(pageInfo(new Headers({ link: '<x>; rel="next"' }), 1, 30).nextPage).toBe(2);
  });
});

describe('response trimming', () => {
  it('clips text without splitting a surrogate pair', () => {
    expect(clip('abc', 5)).toEqual({ text: 'abc', truncated: false });
    expect(clip('a😀b', 2)).toEqual({ text: 'a', truncated: true });
    expect(clip(42, 5)).toEqual({ text: null, truncated: false });
  });

  it('shares one budget between items', () => {
    const budget = createTextBudget(10);
    expect(budget.take('12345678', 6)).toEqual({ text: '123456', truncated: true });
    expect(budget.take('abcdef', 6)).toEqual({ text: 'abcd', truncated: true });
    expect(budget.take('more', 6)).toEqual({ text: null, truncated: true });
  });

  it('decodes base64 content as UTF-8 and caps it on a character boundary', () => {
    const encoded = encodeBase64('héllo wörld');
    expect(decodeContent(encoded, 'base64')).toEqual({
      text: 'héllo wörld',
      truncated: false,
      binary: false,
    });
    expect(decodeContent(encoded, 'base64', 2)).toEqual({ text: 'h', truncated: true, binary: false });
    expect(decodeContent('', 'none')).toEqual({ text: null, truncated: true, binary: false });
    expect(decodeContent(encodeBase64('a\u0000b'), 'base64').binary).toBe(true);
  });
});

describe('paths', () => {
  it('encodes each segment and refuses dot segments', () => {
    expect(repoPath('o', 'r', `/contents/${encodeSegments('/dir/a b#?.md')}`)).toBe(
      '/repos/o/r/contents/dir/a%20b%23%3F.md',
    );
    expect(() => encodeSegments('a/../b')).toThrow(RangeError);
  });
});
