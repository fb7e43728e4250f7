import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type ClientCapabilities,
  type CreateMessageRequestParamsBase,
  type CreateMessageResult,
  type ElicitRequestFormParams,
  type ElicitRequestURLParams,
  type ElicitResult,
  ElicitResultSchema,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../util/types.js';
import { ToolContextError } from './context-error.js';
import { checkedElicitResult } from './elicit-result.js';
import type { LogLevelFilter } from './logging.js';

/** Options of {@link ToolClient.sample} and {@link ToolClient.elicit}. */
export interface ClientRequestOptions {
  /** How long to wait for the client's answer. @default 60_000 (the MCP SDK's request timeout) */
  timeoutMs?: number;
}

/** Parameters of {@link ToolClient.elicit}: a form (`requestedSchema`, `mode` may be omitted) or a URL. */
export type ElicitParams = ElicitRequestFormParams | ElicitRequestURLParams;

/**
 * What a tool (or resource, or prompt) can ask of the MCP client while it runs; part of `ToolContext`.
 * Notifications ride on the call's own response: the answer switches from JSON to an SSE stream at the first
 * one (Streamable HTTP lets the server choose), so calls that send none stay plain JSON.
 */
export interface ToolClient {
  /**
   * The MCP session of this call (`Mcp-Session-Id`), or `undefined` for a stateless call. Sessions are per
   * replica; see the MCP handler's `sessions` option.
   */
  readonly sessionId: string | undefined;
  /** Capabilities the client declared when it initialised the session; `undefined` without a session. */
  readonly clientCapabilities: ClientCapabilities | undefined;
  /**
   * Sends a log message (`notifications/message`) to the client as part of this call, unless the session's
   * `logging/setLevel` filters `level` out (without a level set, every level is sent). `data` is any JSON value;
   * never put a token or another secret in it. Resolves once the message is handed to the transport; delivery
   * failures (the client went away) are not reported.
   */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  /** True when the request carried `_meta.progressToken`, i.e. the client wants {@link progress} reports. */
  readonly progressRequested: boolean;
  /**
   * Reports progress (`notifications/progress`) when the client asked for it (see {@link progressRequested});
   * sends nothing otherwise. `progress` must increase from one report to the next (checked either way).
   *
   * @throws ToolContextError `MCP_PROGRESS_INVALID` for a value that is not finite or does not increase, or a
   *   `total` that is not finite.
   */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /**
   * Asks the client's model for a completion (`sampling/createMessage`, without tools).
   *
   * @throws ToolContextError `MCP_SESSION_REQUIRED` without a session, `MCP_CLIENT_CAPABILITY_MISSING` when the
   *   client did not declare `sampling`, `MCP_CLIENT_REQUEST_FAILED` when it answered an error, timed out or
   *   the call was cancelled.
   */
  sample(
    params: CreateMessageRequestParamsBase,
    options?: ClientRequestOptions,
  ): Promise<CreateMessageResult>;
  /**
   * Asks the user for input through the client (`elicitation/create`): a form whose `requestedSchema` holds flat
   * primitive fields (string, number, integer, boolean, enums — titled or not, single or multi-select — with
   * optional defaults), or a URL (`mode: 'url'`). An accepted form always has `content`, checked against the
   * schema, with no property the schema does not declare. Declined and cancelled requests are results
   * (`action`, without any `content`), not errors.
   *
   * @throws ToolContextError `MCP_SESSION_REQUIRED`, `MCP_CLIENT_CAPABILITY_MISSING` (no `elicitation`, or no
   *   `elicitation.url` for a URL), `MCP_CLIENT_REQUEST_FAILED` (error, timeout, cancelled, an accepted form
   *   without content or with content not matching the schema).
   */
  elicit(params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult>;
  /**
   * Sends `notifications/resources/updated` for `uri` to every session of this instance, on this replica,
   * subscribed to it (`resources/subscribe`). Resolves with the number of sessions notified.
   */
  resourceUpdated(uri: string): Promise<number>;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What a live {@link ToolClient} needs (internal). */
export interface ToolClientScope {
  /** The SDK server answering the call. */
  server: Server;
  /** The SDK's `extra` of the request being handled. */
  extra: Extra;
  /** The call's abort signal (client gone, cancelled, timed out). */
  signal: AbortSignal;
  /** True when the server belongs to a stateful session. */
  inSession: boolean;
  logLevels: LogLevelFilter;
  /** Fans `notifications/resources/updated` out to the instance's subscribed sessions. */
  resourceUpdated(uri: string): Promise<number>;
  logger: Logger;
}

const NO_SESSION =
  'needs a stateful MCP session: the client must initialize and send the Mcp-Session-Id it got back (this call has none).';

function failed(what: string, error: unknown): ToolContextError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ToolContextError('MCP_CLIENT_REQUEST_FAILED', `The client's ${what} request failed: ${reason}`, {
    cause: error,
  });
}

/** The {@link ToolClient} of one request handled by `scope.server` (internal). */
export function createToolClient(scope: ToolClientScope): ToolClient {
  const { server, extra, signal } = scope;
  const progressToken = extra._meta?.progressToken;
  let lastProgress = Number.NEGATIVE_INFINITY;
  const sessionId = scope.inSession ? extra.sessionId : undefined;
  const capabilities = (): ClientCapabilities | undefined =>
    scope.inSession ? server.getClientCapabilities() : undefined;
  const notify = async (notification: ServerNotification): Promise<void> => {
    try {
      await extra.sendNotification(notification);
    } catch (error) {
      scope.logger.debug(
        { err: error instanceof Error ? error.message : typeof error, method: notification.method },
        'could not send a notification to the client',
      );
    }
  };
  const requestOptions = (options: ClientRequestOptions | undefined) => ({
    relatedRequestId: extra.requestId,
    signal,
    ...(options?.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  });

  return {
    sessionId,
    clientCapabilities: capabilities(),
    progressRequested: progressToken !== undefined,
    async log(level, data, logger) {
      if (!scope.logLevels.isSent(level)) return;
      await notify({
        method: 'notifications/message',
        params: { level, data, ...(logger !== undefined ? { logger } : {}) },
      });
    },
    async progress(progress, total, message) {
      if (!Number.isFinite(progress) || progress <= lastProgress) {
        throw new ToolContextError(
          'MCP_PROGRESS_INVALID',
          'Progress must be a finite number that increases.',
        );
      }
      if (total !== undefined && !Number.isFinite(total)) {
        throw new ToolContextError('MCP_PROGRESS_INVALID', 'A progress total must be a finite number.');
      }
      lastProgress = progress;
      if (progressToken === undefined) return;
      await notify({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress,
          ...(total !== undefined ? { total } : {}),
          ...(message !== undefined ? { message } : {}),
        },
      });
    },
    async sample(params, options) {
      if (!scope.inSession) throw new ToolContextError('MCP_SESSION_REQUIRED', `Sampling ${NO_SESSION}`);
      if (capabilities()?.sampling === undefined) {
        throw new ToolContextError(
          'MCP_CLIENT_CAPABILITY_MISSING',
          'This MCP client does not support sampling (it did not declare the `sampling` capability).',
        );
      }
      try {
        return await server.createMessage(params, requestOptions(options));
      } catch (error) {
        throw failed('sampling', error);
      }
    },
    async elicit(params, options) {
      if (!scope.inSession) throw new ToolContextError('MCP_SESSION_REQUIRED', `Elicitation ${NO_SESSION}`);
      const mode = params.mode ?? 'form';
      const elicitation = capabilities()?.elicitation;
      if (elicitation?.[mode] === undefined) {
        const capability = mode === 'url' ? 'elicitation.url' : 'elicitation';
        throw new ToolContextError(
          'MCP_CLIENT_CAPABILITY_MISSING',
          `This MCP client does not support ${mode === 'url' ? 'URL ' : ''}elicitation (it did not declare the \`${capability}\` capability).`,
        );
      }
      // Sent as the SDK's `elicitInput` sends it, but checked here (see checkedElicitResult).
      const sent = mode === 'form' && params.mode !== 'form' ? { ...params, mode: 'form' as const } : params;
      let result: ElicitResult;
      try {
        result = await server.request(
          { method: 'elicitation/create', params: sent },
          ElicitResultSchema,
          requestOptions(options),
        );
      } catch (error) {
        throw failed('elicitation', error);
      }
      return checkedElicitResult(params, result);
    },
    resourceUpdated: (uri) => scope.resourceUpdated(uri),
  };
}

const detachedSession = (what: string): Promise<never> =>
  Promise.reject(new ToolContextError('MCP_SESSION_REQUIRED', `${what} ${NO_SESSION}`));

/**
 * A {@link ToolClient} outside any MCP request, for calling tool handlers directly (unit tests, scripts): no
 * session, `log` and `progress` send nothing, `sample` and `elicit` reject with `MCP_SESSION_REQUIRED`,
 * `resourceUpdated` notifies nobody. Pass `overrides` to script the client (e.g. a fake `elicit`).
 *
 * @example
 * ```ts
 * const ctx: ToolContext = { accessToken, instance, grantedScopes, apiBaseUrl, fetch, logger, signal,
 *   requestId: 'test', ...detachedToolClient({ elicit: async () => ({ action: 'decline' }) }) };
 * ```
 */
export function detachedToolClient(overrides: Partial<ToolClient> = {}): ToolClient {
  return {
    sessionId: undefined,
    clientCapabilities: undefined,
    progressRequested: false,
    log: async () => undefined,
    progress: async () => undefined,
    sample: () => detachedSession('Sampling'),
    elicit: () => detachedSession('Elicitation'),
    resourceUpdated: async () => 0,
    ...overrides,
  };
}
