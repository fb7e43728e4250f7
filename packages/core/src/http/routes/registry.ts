import { readJsonBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { requireService } from '../params.js';
import { jsonResponse } from '../responses.js';
import { initiateOAuthBody, validateBody } from '../schemas.js';
import { toServiceView } from '../views.js';

/** `GET /api/v1/auth-registry/auth/services`: registered services and whether this process enables them. */
export async function listServices(context: RequestContext): Promise<Response> {
  const { store, flow } = context.deps;
  const services = await store.services.listServices();
  return jsonResponse({
    services: services.map((service) => toServiceView(service, flow.providers.has(service.name))),
  });
}

/** `POST /api/v1/auth-registry/auth/validate/:serviceName`: the flow's validation report (no secrets). */
export async function validateService(context: RequestContext): Promise<Response> {
  const provider = requireService(context);
  const body = await readJsonBody(context.request, validateBody, context.deps.maxBodyBytes);
  const report = await context.deps.flow.validateCredentials(provider.id, body);
  return jsonResponse(report);
}

/**
 * `POST /api/v1/auth-registry/auth/initiate-oauth/:serviceName` → 201 `{instanceId, authorizationUrl, expiresAt}`.
 * The authorization URL carries the state value: it is returned once and never logged.
 */
export async function initiateOAuth(context: RequestContext): Promise<Response> {
  const provider = requireService(context);
  const body = await readJsonBody(context.request, initiateOAuthBody, context.deps.maxBodyBytes);
  const request = await context.deps.flow.createAuthorizationRequest({
    ...body,
    serviceName: provider.id,
    requestId: context.requestId,
  });
  // Re-arming an existing instance may change its scopes or toolsets: list them afresh on the next request.
  context.deps.forgetPrincipals([request.instanceId]);
  return jsonResponse(
    {
      instanceId: request.instanceId,
      authorizationUrl: request.authorizationUrl,
      expiresAt: request.expiresAt.toISOString(),
    },
    201,
  );
}
