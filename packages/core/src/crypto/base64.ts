/**
 * Base64 helpers over web-standard `btoa`/`atob` (no `Buffer`, no `node:` import), so the core root entry
 * stays runtime-neutral.
 */

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesToBinary(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return binary;
}

function binaryToBytes(binary: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encodes bytes as standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return btoa(bytesToBinary(bytes));
}

/** Encodes bytes as unpadded base64url (RFC 4648 §5). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes unpadded base64url; returns `null` for anything that is not strictly base64url. */
export function decodeBase64Url(value: string): Uint8Array<ArrayBuffer> | null {
  if (!BASE64URL_PATTERN.test(value) || value.length % 4 === 1) return null;
  const padded = value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4);
  try {
    return binaryToBytes(atob(padded));
  } catch {
    return null;
  }
}

/** Decodes standard base64 (padding optional) or base64url; returns `null` when the text is not base64. */
export function decodeBase64Lenient(value: string): Uint8Array<ArrayBuffer> | null {
  if (BASE64URL_PATTERN.test(value)) return decodeBase64Url(value);
  if (!BASE64_PATTERN.test(value) || value.length % 4 !== 0) return null;
  try {
    return binaryToBytes(atob(value));
  } catch {
    return null;
  }
}

/** UTF-8 text to unpadded base64url. */
export function encodeTextBase64Url(text: string): string {
  return encodeBase64Url(new TextEncoder().encode(text));
}

/** Unpadded base64url to UTF-8 text; `null` when not base64url or not valid UTF-8. */
export function decodeTextBase64Url(value: string): string | null {
  const bytes = decodeBase64Url(value);
  if (bytes === null) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
