/** A parsed GitHub search query: free-text terms and `key:value` qualifiers (`NOT`/`OR` are not modelled). */
export interface SearchQuery {
  terms: string[];
  qualifiers: Array<{ key: string; value: string }>;
}

/** Splits `q` into terms (quoted phrases kept whole) and qualifiers. */
export function parseSearchQuery(q: string): SearchQuery {
  const out: SearchQuery = { terms: [], qualifiers: [] };
  for (const match of q.matchAll(/(\S+?):"([^"]*)"|"([^"]*)"|(\S+)/g)) {
    if (match[1] !== undefined) {
      out.qualifiers.push({ key: match[1].toLowerCase(), value: match[2] ?? '' });
    } else if (match[3] !== undefined) {
      if (match[3]) out.terms.push(match[3].toLowerCase());
    } else if (match[4] !== undefined) {
      const token = match[4];
      const colon = token.indexOf(':');
      if (colon > 0 && colon < token.length - 1 && !/^https?:/.test(token)) {
        out.qualifiers.push({ key: token.slice(0, colon).toLowerCase(), value: token.slice(colon + 1) });
      } else if (token !== 'AND') {
        out.terms.push(token.toLowerCase());
      }
    }
  }
  return out;
}

/** Values of one qualifier. */
export function values(query: SearchQuery, key: string): string[] {
  return query.qualifiers.filter((q) => q.key === key).map((q) => q.value);
}

/** Whether every term occurs in one of the texts (case-insensitive). */
export function matchesTerms(query: SearchQuery, ...texts: Array<string | null | undefined>): boolean {
  const haystack = texts.filter(Boolean).join('\n').toLowerCase();
  return query.terms.every((term) => haystack.includes(term));
}

/** Checks a numeric qualifier value such as `>100`, `>=5`, `<3`, `10..20` or `7`. */
export function matchesNumber(spec: string, value: number): boolean {
  const range = /^(\d+)\.\.(\d+)$/.exec(spec);
  if (range) return value >= Number(range[1]) && value <= Number(range[2]);
  const cmp = /^(>=|<=|>|<)?(\d+)$/.exec(spec);
  if (!cmp) return true;
  const n = Number(cmp[2]);
  switch (cmp[1]) {
    case '>':
      return value > n;
    case '>=':
      return value >= n;
    case '<':
      return value < n;
    case '<=':
      return value <= n;
    default:
      return value === n;
  }
}
