import {
  type McpServer,
  type PromptCallback,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { InstanceConfig } from '../store/ports.js';
import type { Logger } from '../util/types.js';
import type { CallScope } from './register-tool.js';
import type { ResourceContext } from './resource.js';
import { selectReadable } from './resource-filter.js';
import { runWithTokenRecovery } from './token-recovery.js';
import { toolErrorMessage, upstreamFields } from './tool-errors.js';
import { PathUriTemplate } from './uri-template.js';

/** JSON-RPC error code of "resource not found" (MCP specification, resources). */
export const RESOURCE_NOT_FOUND = -32002;

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (extra, message) => logger.debug({ ...fields, ...extra }, message),
    info: (extra, message) => logger.info({ ...fields, ...extra }, message),
    warn: (extra, message) => logger.warn({ ...fields, ...extra }, message),
    error: (extra, message) => logger.error({ ...fields, ...extra }, message),
  };
}

/**
 * Runs a resource or prompt callback with the request's token (with the same 401 recovery as tools). Failures
 * become JSON-RPC errors (`-32002` for an upstream 404, internal error otherwise) whose message is the safe
 * text of `toolErrorMessage`; details go to the log only.
 */
async function runReadable<T>(
  scope: CallScope,
  what: Record<string, unknown>,
  extra: Extra,
  run: (context: ResourceContext) => Promise<T>,
): Promise<T> {
  const { provider, requestId } = scope;
  const logger = withFields(scope.logger, { requestId, ...what });
  try {
    return await runWithTokenRecovery({ ...scope, logger }, (token) =>
      run({
        accessToken: token.accessToken,
        instance: token.instance,
        grantedScopes: token.grantedScopes,
        apiBaseUrl: provider.endpoints.api,
        fetch: scope.fetch,
        logger,
        signal: AbortSignal.any([scope.request.signal, extra.signal]),
        requestId,
      }),
    );
  } catch (error) {
    if (error instanceof McpError) throw error;
    const fields = upstreamFields(error);
    logger.warn(
      {
        err:
          error instanceof Error
            ? { name: error.name, code: fields.code, message: error.message }
            : typeof error,
      },
      'resource or prompt failed',
    );
    const message = toolErrorMessage(error, { providerName: provider.displayName, requestId });
    throw new McpError(fields.status === 404 ? RESOURCE_NOT_FOUND : ErrorCode.InternalError, message);
  }
}

/**
 * Registers the provider's resources, resource templates and prompts that this instance may see (see
 * {@link selectReadable}) on the request's server (internal). Resources and prompts are read-only, so a
 * read-only instance keeps them.
 */
export function registerReadables(
  server: McpServer,
  scope: CallScope,
  config: Pick<InstanceConfig, 'toolsets'>,
  grantedScopes: readonly string[],
): void {
  const { provider } = scope;
  for (const resource of selectReadable(provider.resources ?? [], config, grantedScopes, provider)) {
    server.registerResource(
      resource.name,
      resource.uri,
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      (uri, extra) =>
        runReadable(scope, { resource: resource.name }, extra, (context) => resource.read(uri, context)),
    );
  }
  for (const template of selectReadable(provider.resourceTemplates ?? [], config, grantedScopes, provider)) {
    server.registerResource(
      template.name,
      new ResourceTemplate(new PathUriTemplate(template.uriTemplate), { list: undefined }),
      { title: template.title, description: template.description, mimeType: template.mimeType },
      (uri, variables, extra) =>
        runReadable(scope, { resource: template.name }, extra, (context) =>
          template.read(uri, variables, context),
        ),
    );
  }
  for (const prompt of selectReadable(provider.prompts ?? [], config, grantedScopes, provider)) {
    const meta = { title: prompt.title, description: prompt.description };
    const what = { prompt: prompt.name };
    if (prompt.args === undefined) {
      const noArgs: PromptCallback = (extra) =>
        runReadable(scope, what, extra, (context) => prompt.get({}, context));
      // Without `argsSchema` the SDK calls back with `extra` only, which its overload's typing cannot express.
      server.registerPrompt(
        prompt.name,
        meta,
        noArgs as unknown as Parameters<McpServer['registerPrompt']>[2],
      );
    } else {
      server.registerPrompt(prompt.name, { ...meta, argsSchema: prompt.args.shape }, (args, extra) =>
        runReadable(scope, what, extra, (context) => prompt.get(args, context)),
      );
    }
  }
}
