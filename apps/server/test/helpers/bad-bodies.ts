/** A request body the admin API must refuse, and how. */
export interface BadBody {
  name: string;
  /** A string or bytes are sent as they are with `contentType`; an object is sent as JSON. */
  body: string | Uint8Array | object;
  contentType?: string;
  status: number;
  code: string;
}

const JSON_TYPE = 'application/json';

/** Bodies `POST initiate-oauth/github` must refuse without creating anything (limits: 64 KiB API, 1 MiB socket). */
export const BAD_INITIATE_BODIES: readonly BadBody[] = [
  { name: 'malformed JSON', body: '{"userId":', contentType: JSON_TYPE, status: 400, code: 'INVALID_JSON' },
  {
    name: 'invalid UTF-8',
    body: new Uint8Array([...Buffer.from('{"userId":"'), 0xff, 0xfe, ...Buffer.from('"}')]),
    contentType: JSON_TYPE,
    status: 400,
    code: 'INVALID_JSON',
  },
  { name: 'a JSON array', body: '[]', contentType: JSON_TYPE, status: 400, code: 'INVALID_REQUEST' },
  { name: 'userId missing', body: {}, status: 400, code: 'INVALID_REQUEST' },
  { name: 'an unknown field', body: { userId: 'u', admin: true }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'clientId alone', body: { userId: 'u', clientId: 'x' }, status: 400, code: 'INVALID_REQUEST' },
  {
    name: 'a text/plain body',
    body: 'userId=u',
    contentType: 'text/plain',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: '100 KB of JSON (over the API limit)',
    body: JSON.stringify({ userId: 'u'.repeat(100_000) }),
    contentType: JSON_TYPE,
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: '2 MB of JSON (over the socket limit)',
    body: JSON.stringify({ userId: 'u'.repeat(2 << 20) }),
    contentType: JSON_TYPE,
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
];
