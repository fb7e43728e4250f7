import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../util/types.js';
import { type CallScope, callScopeOf, type ServerScope, toolContext, withFields } from './call-scope.js';
import { runWithTokenRecovery } from './token-recovery.js';
import type { ToolDefinition } from './tool.js';
import { toolResult } from './tool-content.js';
import { rateLimitedMessage, toolErrorMessage } from './tool-errors.js';

/** How a tool call ended, as recorded in `details.result` of its audit record. */
export type ToolCallResult = 'ok' | 'error' | 'rate_limited';

/**
 * Appends the audit record of one tool call — instance, tool, result, duration, request id; never the
 * arguments (they may hold secrets) nor the result. Not awaited: a slow or failing audit store must not delay
 * or fail the call; a failure is logged.
 */
function auditCall(
  scope: CallScope,
  tool: string,
  result: ToolCallResult,
  startedAt: number,
  logger: Logger,
): void {
  const { audit } = scope;
  if (audit === undefined) return;
  const at = scope.now();
  audit
    .appendAudit({
      at: new Date(at),
      instanceId: scope.instance.instanceId,
      actor: scope.actor,
      event: 'tool.called',
      outcome: result === 'ok' ? 'success' : 'failure',
      requestId: scope.requestId,
      details: { tool, result, durationMs: Math.max(0, at - startedAt) },
    })
    .catch((error: unknown) => {
      logger.error(
        { err: error instanceof Error ? error.name : typeof error },
        'could not append audit record',
      );
    });
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/**
 * Asks the rate limiter for one token. `undefined` means go ahead; a store failure lets the call through
 * (availability over strictness) with a warning.
 */
async function throttled(scope: CallScope, logger: Logger): Promise<CallToolResult | undefined> {
  if (scope.rateLimiter === undefined) return undefined;
  try {
    const decision = await scope.rateLimiter.take(scope.instance.instanceId);
    if (decision.allowed) return undefined;
    logger.info({ retryAfterMs: decision.retryAfterMs }, 'tool call rate limited');
    return errorResult(rateLimitedMessage(decision.retryAfterMs));
  } catch (error) {
    logger.warn(
      { err: error instanceof Error ? error.name : typeof error },
      'rate limit store failed; call allowed',
    );
    return undefined;
  }
}

/**
 * Registers `tool` on a server: rate limit, token recovery, then the handler with a {@link ToolContext} of the
 * calling request; the output is rendered by {@link toolResult}. Any failure becomes an `isError` result through
 * {@link toolErrorMessage} (internal).
 */
export function registerTool(server: McpServer, tool: ToolDefinition, serverScope: ServerScope): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: tool.annotations,
    },
    async (args, extra): Promise<CallToolResult> => {
      const scope = callScopeOf(serverScope, extra);
      const { provider, requestId } = scope;
      const logger = withFields(scope.logger, { requestId, tool: tool.name });
      const startedAt = scope.now();
      const refused = await throttled(scope, logger);
      if (refused !== undefined) {
        auditCall(scope, tool.name, 'rate_limited', startedAt, logger);
        return refused;
      }
      try {
        const output = await runWithTokenRecovery({ ...scope, logger }, (token) =>
          tool.handler(args, toolContext(scope, token, extra, logger)),
        );
        const result = toolResult(output);
        auditCall(scope, tool.name, 'ok', startedAt, logger);
        return result;
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        logger.warn(
          { err: error instanceof Error ? { name: error.name, code, message: error.message } : typeof error },
          'tool call failed',
        );
        auditCall(scope, tool.name, 'error', startedAt, logger);
        return errorResult(toolErrorMessage(error, { providerName: provider.displayName, requestId }));
      }
    },
  );
}
