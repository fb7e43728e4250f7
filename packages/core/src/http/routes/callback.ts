import type { CallbackResult } from '../../oauth/types.js';
import type { RequestContext } from '../context.js';
import { mapAndLog } from '../failure.js';
import { param, requireService } from '../params.js';
import {
  acceptsHtml,
  emptyResponse,
  errorResponse,
  escapeHtml,
  htmlResponse,
  jsonResponse,
} from '../responses.js';

/** The callback URL carries a code and a state: never let a page it renders leak them to another origin. */
const CALLBACK_HEADERS = { 'referrer-policy': 'no-referrer' };

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
}

/** Replaces any occurrence of the request's own code or state value (defence in depth: never echo them). */
function scrub(message: string, params: URLSearchParams): string {
  let safe = message;
  for (const name of ['code', 'state']) {
    for (const value of params.getAll(name)) {
      if (value.length >= 4) safe = safe.replaceAll(value, '[redacted]');
    }
  }
  return safe;
}

function success(context: RequestContext, result: CallbackResult, displayName: string): Response {
  if (result.redirectAfter !== null) {
    return emptyResponse(303, { ...CALLBACK_HEADERS, location: result.redirectAfter });
  }
  if (acceptsHtml(context.request)) {
    return htmlResponse(
      page(
        `Connected ${result.login}`,
        `Your ${displayName} account is connected. You can close this window.`,
      ),
      200,
      CALLBACK_HEADERS,
    );
  }
  const { instanceId, serviceName, status, login } = result;
  return jsonResponse({ instanceId, serviceName, status, login }, 200, CALLBACK_HEADERS);
}

/**
 * `GET /api/v1/auth-registry/auth/callback/:serviceName`: completes the upstream flow. Redirects (303) to the
 * `redirectAfter` URL given at initiation, else answers a small HTML page (browsers) or JSON. Failures answer
 * in the same format with the status from the error map; the code and state values are never echoed.
 */
export async function getCallback(context: RequestContext): Promise<Response> {
  const { flow, logger } = context.deps;
  const params = context.url.searchParams;
  try {
    const provider = requireService(context);
    const result = await flow.handleCallback(param(context, 'serviceName'), params, {
      requestId: context.requestId,
    });
    context.deps.forgetPrincipals([result.instanceId]);
    return success(context, result, provider.displayName);
  } catch (error) {
    const mapped = mapAndLog(error, context.requestId, logger);
    const message = scrub(mapped.message, params);
    const headers = { ...mapped.headers, ...CALLBACK_HEADERS };
    if (acceptsHtml(context.request)) {
      return htmlResponse(page('Connection failed', message), mapped.status, headers);
    }
    return errorResponse(mapped.status, mapped.code, message, headers);
  }
}
