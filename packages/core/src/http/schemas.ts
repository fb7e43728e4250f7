import { z } from 'zod';
import { INSTANCE_STATUSES, type InstanceStatus } from '../store/ports.js';
import { isUuid } from '../util/uuid.js';

/** Service names as providers declare them (`github`). */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

const uuid = z.string().max(36).refine(isUuid, { error: 'must be a UUID' });
const scope = z.string().regex(/^[\x21-\x7e]{1,200}$/, { error: 'must be 1-200 printable ASCII characters' });
const toolset = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}$/, { error: 'must be 1-64 characters of a-z, 0-9, _ or -' });
const clientId = z.string().min(1).max(256);
const clientSecret = z.string().min(1).max(512);

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
}

/** Body of `POST /api/v1/auth-registry/auth/initiate-oauth/:serviceName`. */
export const initiateOAuthBody = z
  .strictObject({
    instanceId: uuid.optional(),
    userId: z.string().min(1).max(200),
    clientId: clientId.optional(),
    clientSecret: clientSecret.optional(),
    scopes: z.array(scope).max(50).optional(),
    readOnly: z.boolean().optional(),
    toolsets: z.array(toolset).max(50).nullable().optional(),
    redirectAfter: z
      .string()
      .max(2048)
      .refine(isHttpUrl, { error: 'must be an absolute http(s) URL without credentials' })
      .optional(),
  })
  .refine((body) => (body.clientId === undefined) === (body.clientSecret === undefined), {
    error: 'clientId and clientSecret must be given together',
    path: ['clientSecret'],
  });

/** Body of `POST /api/v1/auth-registry/auth/validate/:serviceName`. */
export const validateBody = z.strictObject({
  clientId: clientId.optional(),
  clientSecret: clientSecret.optional(),
  instanceId: uuid.optional(),
});

/** Body of `POST /api/v1/instances/:id/api-keys`. */
export const createApiKeyBody = z.strictObject({
  name: z.string().min(1).max(100).optional(),
});

/** Body of `POST /cache-tokens`. */
export const cacheTokensBody = z.strictObject({
  instanceIds: z.array(uuid).max(500).optional(),
});

/** Query of `GET /api/v1/instances`. */
export const listInstancesQuery = z.object({
  serviceName: z.string().regex(SERVICE_NAME_PATTERN, { error: 'is not a service name' }).optional(),
  userId: z.string().min(1).max(200).optional(),
  status: z.enum(INSTANCE_STATUSES as readonly [InstanceStatus, ...InstanceStatus[]]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .regex(/^[\x21-\x7e]{1,512}$/, { error: 'is not a cursor from a previous page' })
    .optional(),
});
