import {
  type McpServer,
  type PromptCallback,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { InstanceConfig } from '../store/ports.js';
import { callScopeOf, type HandlerExtra, type ServerScope, toolContext, withFields } from './call-scope.js';
import type { ResourceContext, ResourceDefinition, ResourceTemplateDefinition } from './resource.js';
import { selectReadable } from './resource-filter.js';
import { runWithTokenRecovery } from './token-recovery.js';
import { toolErrorMessage, upstreamFields } from './tool-errors.js';
import { PathUriTemplate } from './uri-template.js';

/** JSON-RPC error code of "resource not found" (MCP specification, resources). */
export const RESOURCE_NOT_FOUND = -32002;

/** The resources and templates a server lists (what `resources/subscribe` accepts). */
export interface RegisteredReadables {
  resources: readonly ResourceDefinition[];
  templates: readonly ResourceTemplateDefinition[];
}

/**
 * Runs a resource or prompt callback with the request's token (with the same 401 recovery as tools). Failures
 * become JSON-RPC errors (`-32002` for an upstream 404, internal error otherwise) whose message is the safe
 * text of `toolErrorMessage`; details go to the log only.
 */
async function runReadable<T>(
  serverScope: ServerScope,
  what: Record<string, unknown>,
  extra: HandlerExtra,
  run: (context: ResourceContext) => Promise<T>,
): Promise<T> {
  const scope = callScopeOf(serverScope, extra);
  const { provider, requestId } = scope;
  const logger = withFields(scope.logger, { requestId, ...what });
  try {
    return await runWithTokenRecovery({ ...scope, logger }, (token) =>
      run(toolContext(scope, token, extra, logger)),
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
 * {@link selectReadable}) on a server (internal). Resources and prompts are read-only, so a read-only instance
 * keeps them. Returns the resources and templates registered.
 */
export function registerReadables(
  server: McpServer,
  scope: ServerScope,
  config: Pick<InstanceConfig, 'toolsets'>,
  grantedScopes: readonly string[],
): RegisteredReadables {
  const { provider } = scope;
  const resources = selectReadable(provider.resources ?? [], config, grantedScopes, provider);
  const templates = selectReadable(provider.resourceTemplates ?? [], config, grantedScopes, provider);
  for (const resource of resources) {
    server.registerResource(
      resource.name,
      resource.uri,
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      (uri, extra) =>
        runReadable(scope, { resource: resource.name }, extra, (context) => resource.read(uri, context)),
    );
  }
  for (const template of templates) {
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
  return { resources, templates };
}
