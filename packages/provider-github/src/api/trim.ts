/** Largest file content a tool returns: 100 KiB of UTF-8. */
export const MAX_FILE_BYTES = 100 * 1024;
/** Body text of one item in a listing (issues, pull requests). */
export const LIST_BODY_CHARS = 500;
/** Body text of a single issue or pull request. */
export const DETAIL_BODY_CHARS = 20_000;
/** One diff patch. */
export const PATCH_CHARS = 4_000;
/** All diff patches of one answer together. */
export const PATCHES_TOTAL_CHARS = 100_000;

/** A possibly shortened text. */
export interface Clipped {
  text: string | null;
  truncated: boolean;
}

/** Cuts `value` to at most `max` characters (never inside a surrogate pair). Non-strings become `null`. */
export function clip(value: unknown, max: number): Clipped {
  if (typeof value !== 'string') return { text: null, truncated: false };
  if (value.length <= max) return { text: value, truncated: false };
  let end = max;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { text: value.slice(0, end), truncated: true };
}

/** The first line of a commit message or similar, bounded. */
export function firstLine(value: unknown, max = 200): string {
  const line = typeof value === 'string' ? (value.split('\n', 1)[0] ?? '') : '';
  return clip(line, max).text ?? '';
}

/** A character budget shared by the items of one answer, so many medium-sized patches cannot add up. */
export interface TextBudget {
  /** Clips `value` to `perItem` and to what is left of the budget. */
  take(value: unknown, perItem: number): Clipped;
}

/** Creates a {@link TextBudget} of `total` characters. */
export function createTextBudget(total: number): TextBudget {
  let left = total;
  return {
    take(value, perItem) {
      if (typeof value !== 'string') return { text: null, truncated: false };
      const clipped = clip(value, Math.max(0, Math.min(perItem, left)));
      left -= clipped.text?.length ?? 0;
      return clipped.text === '' && value !== '' ? { text: null, truncated: true } : clipped;
    },
  };
}

/** Decoded file content. */
export interface DecodedContent {
  /** UTF-8 text, `null` for binary files or when GitHub sent no content (files over 1 MB). */
  text: string | null;
  /** True when the text stops before the end of the file. */
  truncated: boolean;
  /** True when the file looks binary (contains NUL bytes). */
  binary: boolean;
}

function base64ToBytes(value: string): Uint8Array {
  // GitHub wraps base64 content at 60 characters with `\n`.
  const binary = atob(value.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Decodes a contents-API `content` (base64) as UTF-8, keeping at most `maxBytes` bytes and never splitting a
 * multi-byte character.
 */
export function decodeContent(
  content: unknown,
  encoding: unknown,
  maxBytes = MAX_FILE_BYTES,
): DecodedContent {
  if (typeof content !== 'string' || encoding !== 'base64')
    return { text: null, truncated: true, binary: false };
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(content);
  } catch {
    return { text: null, truncated: false, binary: true };
  }
  const sample = bytes.subarray(0, 8000);
  if (sample.includes(0)) return { text: null, truncated: false, binary: true };
  let end = Math.min(bytes.length, maxBytes);
  // Step back over UTF-8 continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  if (end < bytes.length) while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return {
    text: new TextDecoder('utf-8').decode(bytes.subarray(0, end)),
    truncated: end < bytes.length,
    binary: false,
  };
}

/** Encodes UTF-8 text as base64 (the contents API's request format). */
export function encodeBase64(text: string): string {
  let binary = '';
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
