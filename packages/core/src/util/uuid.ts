const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for an RFC 9562 UUID string (versions 1–8). Used to reject ids before they reach a database. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
