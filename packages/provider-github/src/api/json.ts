/** A JSON object from GitHub, read field by field without trusting its shape. */
export type Json = Record<string, unknown>;

/** The value when it is a plain object, else an empty object. */
export function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** The value when it is an array, else an empty array. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value when it is a string, else `null`. */
export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The value when it is a finite number, else `null`. */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The value when it is an integer, else `null`. */
export function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** The value when it is a boolean, else `null`. */
export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** The string items of an array, or the `key` field of its object items (`labels[].name`). */
export function names(value: unknown, key = 'name'): string[] {
  return arr(value)
    .map((item) => (typeof item === 'string' ? item : str(obj(item)[key])))
    .filter((item): item is string => item !== null);
}
