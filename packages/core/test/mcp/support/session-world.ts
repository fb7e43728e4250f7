import { afterAll, beforeAll } from 'vitest';
import type { HttpHandler } from '../../../src/http/create-handler.js';
import type { HttpHandlerOptions } from '../../../src/http/options.js';
import type { McpSessionOptions } from '../../../src/mcp/session-table.js';
import { createHarness, type Harness } from '../../http/support/harness.js';
import { clientToolsProvider } from './client-tools.js';

/** Idle timeout of the session handlers of {@link sessionWorld}. */
export const IDLE_MS = 60_000;

/** A per-file harness with the client-tools provider, and handlers with sessions on (closed after the file). */
export interface SessionWorld {
  /** The harness (set once `beforeAll` ran). */
  readonly h: Harness;
  /** A handler with sessions on (and no principal cache, so instance changes are seen at once). */
  withSessions(sessions?: McpSessionOptions, extra?: Partial<HttpHandlerOptions>): HttpHandler;
}

/** Registers the file's `beforeAll`/`afterAll`: one PGlite harness, and every session handler closed at the end. */
export function sessionWorld(): SessionWorld {
  let harness: Harness | undefined;
  const handlers: HttpHandler[] = [];
  beforeAll(async () => {
    harness = await createHarness({ provider: clientToolsProvider() });
  });
  afterAll(async () => {
    await Promise.all(handlers.map((handler) => handler.mcp.close()));
    await harness?.close();
  });
  const world: SessionWorld = {
    get h() {
      if (harness === undefined) throw new Error('the harness starts in beforeAll');
      return harness;
    },
    withSessions(sessions = {}, extra = {}) {
      const handler = world.h.make({
        mcpSessions: { idleTimeoutMs: IDLE_MS, ...sessions },
        principalCache: false,
        ...extra,
      });
      handlers.push(handler);
      return handler;
    },
  };
  return world;
}
