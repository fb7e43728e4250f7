import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/crypto/hash.js';
import { createKeyRing, generateKey, parseKeyRingSpec } from '../src/crypto/key-ring.js';
import { randomToken } from '../src/crypto/random.js';
import type { EncryptionContext } from '../src/crypto/types.js';

const K1 = generateKey();
const K2 = generateKey();
const context: EncryptionContext = {
  table: 'mcp_credentials',
  column: 'access_token',
  instanceId: '0b6f3c2e-8a51-4c1e-9d0b-3f1e2a7c9d10',
};

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & { code?: string };
}

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** Flips one bit of the base64url field `index` (1 = kid, 2 = iv, 3 = body). */
function flip(ciphertext: string, index: number, charAt = 0): string {
  const parts = ciphertext.split('.');
  const field = parts[index]!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const c = field[charAt]!;
  const swapped = alphabet[(alphabet.indexOf(c) ^ 1) & 63]!;
  parts[index] = field.slice(0, charAt) + swapped + field.slice(charAt + 1);
  return parts.join('.');
}

describe('createKeyRing', () => {
  const ring = createKeyRing([{ id: 'k1', key: K1 }]);

  it('round-trips text, including empty and non-ASCII strings', async () => {
    for (const plain of ['gho_abc123', '', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000)]) {
      const ct = await ring.encrypt(plain, context);
      expect(ct.startsWith('v1.k1.')).toBe(true);
      expect(ct).not.toContain(plain || '\u0000');
      expect(await ring.decrypt(ct, context)).toBe(plain);
    }
  });

  it('uses a fresh 12-byte IV for every encryption', async () => {
    const cts = await Promise.all(Array.from({ length: 50 }, () => ring.encrypt('same', context)));
    expect(new Set(cts).size).toBe(50);
    const ivs = cts.map((ct) => ct.split('.')[2]!);
    expect(new Set(ivs).size).toBe(50);
    for (const iv of ivs) expect(iv).toHaveLength(16);
  });

  it('exposes the active key and every key id', () => {
    const two = createKeyRing([
      { id: 'new', key: K2 },
      { id: 'old', key: K1 },
    ]);
    expect(two.activeKeyId).toBe('new');
    expect(two.keyIds).toEqual(['new', 'old']);
    expect(two.keyIdOf('v1.old.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA')).toBe('old');
  });

  it('detects tampering with the IV, the body or the tag', async () => {
    const ct = await ring.encrypt('secret-access-token', context);
    const body = ct.split('.')[3]!;
    for (const tampered of [flip(ct, 2), flip(ct, 3), flip(ct, 3, body.length - 2)]) {
      const error = await rejection(ring.decrypt(tampered, context));
      expect(error.code).toBe('CRYPTO_DECRYPT_FAILED');
    }
  });

  it('fails with CRYPTO_DECRYPT_FAILED when copied to another table, column or instance', async () => {
    const ct = await ring.encrypt('secret-access-token', context);
    for (const other of [
      { ...context, table: 'mcp_service_table' },
      { ...context, column: 'refresh_token' },
      { ...context, instanceId: '1b6f3c2e-8a51-4c1e-9d0b-3f1e2a7c9d10' },
    ]) {
      const error = await rejection(ring.decrypt(ct, other));
      expect(error.code).toBe('CRYPTO_DECRYPT_FAILED');
      expect(error.message).not.toContain('secret-access-token');
    }
  });

  it('binds the key id: relabelling a ciphertext to another key fails', async () => {
    const both = createKeyRing([
      { id: 'k1', key: K1 },
      { id: 'k2', key: K1 },
    ]);
    const ct = await both.encrypt('token', context);
    const error = await rejection(both.decrypt(ct.replace('v1.k1.', 'v1.k2.'), context));
    expect(error.code).toBe('CRYPTO_DECRYPT_FAILED');
  });

  it('decrypts with a non-active key and encrypts with the active one', async () => {
    const old = await ring.encrypt('token', context);
    const rotated = createKeyRing([
      { id: 'k2', key: K2 },
      { id: 'k1', key: K1 },
    ]);
    expect(await rotated.decrypt(old, context)).toBe('token');
    const fresh = await rotated.encrypt('token', context);
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect((await rejection(ring.decrypt(fresh, context))).code).toBe('CRYPTO_KEY_UNKNOWN');
  });

  it('fails with CRYPTO_KEY_UNKNOWN for a key id not in the ring', async () => {
    const other = createKeyRing([{ id: 'elsewhere', key: K2 }]);
    const ct = await other.encrypt('token', context);
    const error = await rejection(ring.decrypt(ct, context));
    expect(error.code).toBe('CRYPTO_KEY_UNKNOWN');
    expect(error.message).toContain('elsewhere');
  });

  it('fails with CRYPTO_CIPHERTEXT_INVALID for malformed input', async () => {
    const good = await ring.encrypt('token', context);
    const [, , iv, body] = good.split('.');
    for (const bad of [
      '',
      'plain-token',
      'v2.k1.AAAA.AAAA',
      `v1.k1.${iv}`,
      `v1.k1.${iv}.${body}.extra`,
      `v1.bad key.${iv}.${body}`,
      `v1.k1.${iv}A.${body}`,
      `v1.k1.${iv}.AAAA`,
      `v1.k1.${iv}.${body}*`,
      `v1.k1.${iv}.${body}=`,
    ]) {
      expect((await rejection(ring.decrypt(bad, context))).code).toBe('CRYPTO_CIPHERTEXT_INVALID');
    }
    expect(thrown(() => ring.keyIdOf('nope')).code).toBe('CRYPTO_CIPHERTEXT_INVALID');
  });

  it('rejects keys that are not 32 bytes of base64, naming the key id only', () => {
    const short = btoa('x'.repeat(31));
    const long = btoa('x'.repeat(33));
    for (const key of [short, long, 'not base64 at all!', '', K1.slice(0, -4)]) {
      const error = thrown(() => createKeyRing([{ id: 'prod-2025', key }]));
      expect(error.code).toBe('CRYPTO_KEY_INVALID');
      expect(error.message).toContain('prod-2025');
      if (key !== '') expect(error.message).not.toContain(key);
    }
  });

  it('accepts base64url and unpadded keys of 32 bytes', async () => {
    const url = K1.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const ring2 = createKeyRing([{ id: 'k1', key: url }]);
    expect(await ring2.decrypt(await ring.encrypt('t', context), context)).toBe('t');
  });

  it('rejects invalid and duplicate key ids and an empty ring', () => {
    for (const id of ['', 'has space', 'dot.ted', 'x'.repeat(33), K1]) {
      const error = thrown(() => createKeyRing([{ id, key: K1 }]));
      expect(error.code).toBe('CRYPTO_KEY_INVALID');
      expect(error.message).not.toContain(K1);
    }
    const dup = thrown(() =>
      createKeyRing([
        { id: 'a', key: K1 },
        { id: 'a', key: K2 },
      ]),
    );
    expect(dup.code).toBe('CRYPTO_KEY_INVALID');
    expect(dup.message).toContain('"a"');
    expect(dup.message).not.toContain(K2);
    expect(thrown(() => createKeyRing([])).code).toBe('CRYPTO_KEY_INVALID');
  });
});

describe('parseKeyRingSpec', () => {
  it('parses "kid:key,kid2:key" with the first key active', () => {
    const keys = parseKeyRingSpec(` k2:${K2} , k1:${K1}`);
    expect(keys).toEqual([
      { id: 'k2', key: K2 },
      { id: 'k1', key: K1 },
    ]);
    expect(createKeyRing(keys).activeKeyId).toBe('k2');
  });

  it('never echoes key material in its errors', () => {
    for (const spec of [K1, `k1:${K1},${K2}`, `k1:${K1.slice(2)}`, `k1:${K1},k1:${K2}`, '', ' , ']) {
      const error = thrown(() => parseKeyRingSpec(spec));
      expect(error.code).toBe('CRYPTO_KEY_INVALID');
      for (const key of [K1, K2, K1.slice(2), K1.slice(0, 20), K2.slice(0, 20)]) {
        expect(error.message).not.toContain(key);
      }
    }
  });
});

describe('generateKey, sha256Hex, randomToken', () => {
  it('generates distinct 32-byte keys as base64', () => {
    const a = generateKey();
    expect(a).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(atob(a)).toHaveLength(32);
    expect(generateKey()).not.toBe(a);
  });

  it('hashes with SHA-256 as lowercase hex', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('makes base64url tokens of the requested entropy', () => {
    const token = randomToken(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(32)).not.toBe(token);
    expect(randomToken(1)).toHaveLength(2);
    for (const bad of [0, -1, 1.5, 65_537, Number.NaN]) {
      expect(thrown(() => randomToken(bad)).code).toBe('CONFIG_INVALID_OPTION');
    }
  });
});
