import { UriTemplate, type Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';

const EXPRESSION = /\{([^}]*)\}/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Matches `uri` against a template using only simple (`{var}`) and path-segment (`{/var}`, `{/var*}`)
 * expressions, RFC 6570 style: an exploded path variable takes any number of `/`-separated segments (an array,
 * omitted when there are none). `undefined` when the template uses other operators; `null` when no match.
 */
export function matchPathTemplate(template: string, uri: string): Variables | null | undefined {
  const names: Array<{ name: string; exploded: boolean }> = [];
  let pattern = '^';
  let last = 0;
  for (const expression of template.matchAll(EXPRESSION)) {
    pattern += escapeRegExp(template.slice(last, expression.index));
    last = expression.index + expression[0].length;
    const body = expression[1] ?? '';
    const operator = body.startsWith('/') ? '/' : '';
    const spec = operator === '/' ? body.slice(1) : body;
    if (!/^[A-Za-z0-9_]+\*?$/.test(spec)) return undefined;
    const exploded = spec.endsWith('*');
    const name = exploded ? spec.slice(0, -1) : spec;
    if (operator === '') {
      if (exploded) return undefined;
      pattern += '([^/?#]+)';
    } else {
      pattern += exploded ? '((?:/[^/?#]+)*)' : '(?:/([^/?#]+))?';
    }
    names.push({ name, exploded });
  }
  pattern += `${escapeRegExp(template.slice(last))}$`;
  const match = new RegExp(pattern).exec(uri);
  if (match === null) return null;
  const variables: Variables = {};
  names.forEach(({ name, exploded }, index) => {
    const raw = match[index + 1];
    if (raw === undefined || raw === '') return;
    variables[name] = exploded ? raw.split('/').filter(Boolean).map(decodeSegment) : decodeSegment(raw);
  });
  return variables;
}

/**
 * The SDK's `UriTemplate` with RFC 6570 matching of path-segment expressions: the SDK (1.x) matches an exploded
 * `{/path*}` only as one comma-separated segment, so `repo://o/r/contents/src/index.ts` would not be found.
 * Templates with other operators match as in the SDK.
 */
export class PathUriTemplate extends UriTemplate {
  readonly #template: string;

  constructor(template: string) {
    super(template);
    this.#template = template;
  }

  /** Variables of `uri`, or `null` when it does not match. */
  override match(uri: string): Variables | null {
    const variables = matchPathTemplate(this.#template, uri);
    return variables === undefined ? super.match(uri) : variables;
  }
}
