import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { ProviderDefinition } from '../provider/types.js';
import type { ApiKeyRecord, InstanceRecord } from '../store/ports.js';
import { buildServer, type ServerDeps } from './build-server.js';
import type { Exchange } from './call-scope.js';
import type { ExchangeTransport, HandledRequest } from './exchange-transport.js';
import { jsonRpcError, sessionNotFound } from './json-rpc-error.js';
import { hasRequests, readMessages } from './read-messages.js';
import {
  createSessionTable,
  matchesFilter,
  type ResolvedSessionOptions,
  type SessionEntry,
  type SessionFilter,
} from './session-table.js';

/** A live session: its server, transport and subscriptions (internal). */
interface Session extends SessionEntry {
  server: McpServer;
  transport: ExchangeTransport<Exchange>;
  /** What selected its tools, resources and prompts (see {@link toolFingerprint}). */
  fingerprint: string;
  subscriptions: Set<string>;
}

/** One HTTP request to the MCP endpoint, authorised for `instance` with `apiKey` (internal). */
export interface McpCall {
  exchange: Exchange;
  provider: ProviderDefinition;
  apiKey: ApiKeyRecord;
  /** Granted scopes for listing (from the token, or the instance's requested scopes when it is unusable). */
  grantedScopes(): Promise<readonly string[]>;
}

/** A session being initialised: not in the table yet, but already ended by a matching `endWhere` (internal). */
interface Starting {
  readonly instanceId: string;
  readonly keyId: string;
  ended: boolean;
}

/** The answer to an `initialize` when every session slot of the process is busy with another instance. */
function noRoomForSession(): Response {
  return jsonRpcError(
    503,
    -32000,
    'Too many MCP sessions are busy on this server; retry later, or send requests without a session.',
  );
}

/** The stateful side of the MCP handler (internal). */
export interface SessionManager {
  readonly size: number;
  /**
   * Starts a session with the `initialize` request `body` and answers it (with `Mcp-Session-Id`): 503 when the
   * session table has no room (see `SessionTable.hasRoom`), 404 when an `endWhere` matching it or `close` ran
   * while it was being initialised.
   */
  start(call: McpCall, body: unknown): Promise<Response>;
  /** Serves a request carrying `Mcp-Session-Id: sessionId`: 404 unless it is a live session of this instance and key. */
  serve(sessionId: string, call: McpCall): Promise<Response>;
  /** Ends idle sessions. */
  sweep(): void;
  /** Ends the sessions matching `filter`, and those matching it still initialising; returns how many were live. */
  endWhere(filter: SessionFilter): number;
  /** Sends `notifications/resources/updated` to the instance's sessions subscribed to `uri`. */
  resourceUpdated(instanceId: string, uri: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * What selects a server's tools, resources and prompts: provider, read-only flag, toolsets and granted scopes. A
 * session whose instance no longer has the same fingerprint (reconnected with other scopes, toolsets changed) is
 * ended, so the client initialises again and lists what it may use now (internal).
 */
export function toolFingerprint(
  provider: ProviderDefinition,
  instance: InstanceRecord,
  grantedScopes: readonly string[],
): string {
  const toolsets = instance.config.toolsets === null ? null : [...instance.config.toolsets].sort();
  return JSON.stringify([
    provider.id,
    instance.config.readOnly,
    toolsets,
    [...new Set(grantedScopes)].sort(),
  ]);
}

/** Creates the session manager of one MCP handler (internal). */
export function createSessionManager(
  deps: ServerDeps,
  options: ResolvedSessionOptions,
  maxBodyBytes: number,
): SessionManager {
  const { logger } = deps;
  const table = createSessionTable<Session>(options, deps.now, (error) => {
    logger.warn({ err: error instanceof Error ? error.name : typeof error }, 'closing an MCP session failed');
  });
  let closed = false;
  const starting = new Set<Starting>();

  const resourceUpdated = async (instanceId: string, uri: string): Promise<number> => {
    const subscribed = table.ofInstance(instanceId).filter((session) => session.subscriptions.has(uri));
    const sent = await Promise.all(
      subscribed.map((session) =>
        session.server.server.sendResourceUpdated({ uri }).then(
          () => true,
          (error: unknown) => {
            logger.debug(
              { instanceId, err: error instanceof Error ? error.message : typeof error },
              'could not send resources/updated',
            );
            return false;
          },
        ),
      ),
    );
    return sent.filter(Boolean).length;
  };

  /**
   * Builds the session's server and answers the `initialize`. The session enters the table when the SDK
   * initialises it, unless `pending` was ended or the manager closed meanwhile (404) or the table has no room
   * left (503): then its server closes at once, before the `initialize` is dispatched.
   */
  const startSession = async (call: McpCall, body: unknown, pending: Starting): Promise<Response> => {
    const { exchange, provider, apiKey } = call;
    const { instance, requestId } = exchange;
    const grantedScopes = await call.grantedScopes();
    const subscriptions = new Set<string>();
    let session: Session | undefined;
    let refusal: Response | undefined;
    const inner = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => globalThis.crypto.randomUUID(),
      enableJsonResponse: true,
      maxRequestBodySize: maxBodyBytes,
      onsessioninitialized: (id) => {
        const candidate: Session = {
          id,
          instanceId: instance.instanceId,
          keyId: apiKey.keyId,
          server: built.server,
          transport: built.transport,
          fingerprint: toolFingerprint(provider, instance, grantedScopes),
          subscriptions,
          close: () => built.server.close(),
        };
        if (closed || pending.ended) {
          refusal = sessionNotFound();
          logger.info(
            { requestId, instanceId: instance.instanceId, keyId: apiKey.keyId },
            'MCP session not started: its instance or API key was ended meanwhile',
          );
        } else if (!table.add(candidate)) {
          refusal = noRoomForSession();
          logger.warn(
            { requestId, instanceId: instance.instanceId },
            'MCP session refused: every session slot is busy',
          );
        }
        if (refusal !== undefined) {
          // Closed now, the SDK transport answers 404 instead of dispatching the initialize; `refusal` replaces it.
          void built.server.close().catch(() => undefined);
          return;
        }
        session = candidate;
        logger.info(
          { requestId, instanceId: instance.instanceId, keyId: apiKey.keyId },
          'MCP session started',
        );
      },
    });
    const built = await buildServer(deps, {
      provider,
      instance,
      grantedScopes,
      actor: `api_key:${apiKey.keyId}`,
      inner,
      subscriptions,
      resourceUpdated: (uri) => resourceUpdated(instance.instanceId, uri),
    });
    // A session ends by DELETE, by its transport closing, or by the table (idle, caps, endSessions, close).
    built.server.server.onclose = () => {
      if (session !== undefined) table.forget(session);
    };
    try {
      const handled = await built.transport.handle(exchange.request, exchange, body);
      if (refusal !== undefined) return refusal;
      if (session === undefined) void handled.settled.then(() => built.server.close());
      return handled.response;
    } catch (error) {
      await built.server.close().catch(() => undefined);
      throw error;
    }
  };

  const manager: SessionManager = {
    get size() {
      return table.size;
    },
    async start(call, body) {
      const { exchange, apiKey } = call;
      const { instance, requestId } = exchange;
      const { instanceId } = instance;
      if (!table.hasRoom(instanceId)) {
        logger.warn({ requestId, instanceId }, 'MCP session refused: every session slot is busy');
        return noRoomForSession();
      }
      // Between here and the table, awaits (token, server build) let an endWhere for this key or instance run:
      // it marks this start ended, so no session outlives the deletion that triggered it.
      const pending: Starting = { instanceId, keyId: apiKey.keyId, ended: false };
      starting.add(pending);
      try {
        return await startSession(call, body, pending);
      } finally {
        starting.delete(pending);
      }
    },

    async serve(sessionId, call) {
      const { exchange, provider, apiKey } = call;
      const { request, instance, requestId } = exchange;
      if (closed) return sessionNotFound();
      const found = table.find(sessionId, instance.instanceId, apiKey.keyId);
      if ('missing' in found) {
        if (found.missing === 'foreign') {
          logger.warn(
            { requestId, instanceId: instance.instanceId },
            'refused an MCP session id of another instance or API key',
          );
        }
        return sessionNotFound();
      }
      const { session } = found;
      let body: unknown;
      if (request.method === 'POST') {
        const read = await readMessages(request, maxBodyBytes);
        if (read.kind === 'refused') return read.response;
        body = read.kind === 'parsed' ? read.body : undefined;
        if (body !== undefined && hasRequests(body)) {
          const fingerprint = toolFingerprint(provider, instance, await call.grantedScopes());
          if (fingerprint !== session.fingerprint) {
            logger.info(
              { requestId, instanceId: instance.instanceId },
              'MCP session ended: the instance now has other tools; the client must initialise again',
            );
            await table.end(session);
            return sessionNotFound();
          }
        }
      }
      table.begin(session);
      let handled: HandledRequest;
      try {
        handled = await session.transport.handle(request, exchange, body);
      } catch (error) {
        table.finish(session);
        throw error;
      }
      void handled.settled.then(() => table.finish(session));
      return handled.response;
    },

    sweep: () => {
      table.sweep();
    },
    endWhere(filter) {
      for (const pending of starting) {
        if (matchesFilter(filter, pending.instanceId, pending.keyId)) pending.ended = true;
      }
      return table.endWhere(filter);
    },
    resourceUpdated,
    async close() {
      closed = true;
      await table.endAll();
    },
  };
  return manager;
}
