import { ConfigError } from '../errors/index.js';
import type { Clock } from '../util/types.js';

/**
 * Stateful MCP sessions of `createMcpHandler` (off when the option is omitted). Sessions live in this process:
 * a client whose requests reach another replica gets 404 there and initialises again, and sampling,
 * elicitation and resource subscriptions need the load balancer to keep a session on one replica (sticky
 * routing on `Mcp-Session-Id`).
 */
export interface McpSessionOptions {
  /**
   * A session without any request for this long is ended (its next request gets 404); checked on each request to
   * the endpoint, no timer. @default 900_000 (15 min)
   */
  idleTimeoutMs?: number;
  /** Sessions one instance may hold; the least recently used one is ended to make room. @default 16 */
  maxSessionsPerInstance?: number;
  /**
   * Sessions this process holds in total; the least recently used idle one is ended to make room. A session of
   * another instance with a request in flight is never ended for this: when all are busy, a new `initialize`
   * is refused with 503. @default 1_000
   */
  maxSessions?: number;
}

/** {@link McpSessionOptions} with defaults applied (internal). */
export type ResolvedSessionOptions = Required<McpSessionOptions>;

/** Default of {@link McpSessionOptions.idleTimeoutMs}. */
export const DEFAULT_SESSION_IDLE_TIMEOUT_MS = 15 * 60_000;

/**
 * Validates the session options once (internal).
 * @throws ConfigError naming the bad option.
 */
export function resolveSessionOptions(options: McpSessionOptions): ResolvedSessionOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('sessions', 'must be an object');
  const positive = (name: keyof McpSessionOptions, fallback: number): number => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ConfigError(`sessions.${name}`, 'must be a positive integer');
    }
    return value;
  };
  const resolved = {
    idleTimeoutMs: positive('idleTimeoutMs', DEFAULT_SESSION_IDLE_TIMEOUT_MS),
    maxSessionsPerInstance: positive('maxSessionsPerInstance', 16),
    maxSessions: positive('maxSessions', 1_000),
  };
  if (resolved.maxSessionsPerInstance > resolved.maxSessions) {
    throw new ConfigError('sessions.maxSessionsPerInstance', 'must not exceed sessions.maxSessions');
  }
  return resolved;
}

/** What the table holds (internal). */
export interface SessionEntry {
  readonly id: string;
  readonly instanceId: string;
  /** The API key that initialised the session; only that key may use it. */
  readonly keyId: string;
  /** Releases what the session holds (server, streams). Called once, after the table forgot the session. */
  close(): Promise<void>;
}

/** Which sessions {@link SessionTable.endWhere} ends: those of an instance, of a key, or of both. */
export type SessionFilter = { instanceId: string; keyId?: string } | { instanceId?: string; keyId: string };

/** True when a session of `instanceId` started with `keyId` matches `filter` (an empty filter matches nothing). */
export function matchesFilter(filter: SessionFilter, instanceId: string, keyId: string): boolean {
  if (filter.instanceId === undefined && filter.keyId === undefined) return false;
  if (filter.instanceId !== undefined && filter.instanceId !== instanceId) return false;
  return filter.keyId === undefined || filter.keyId === keyId;
}

/** Result of {@link SessionTable.find}: the session, or why there is none (all answer the same 404). */
export type FoundSession<S> = { session: S } | { missing: 'unknown' | 'foreign' | 'expired' };

/** The in-process session table (internal). */
export interface SessionTable<S extends SessionEntry> {
  readonly size: number;
  /**
   * Whether a session of `instanceId` could be added now: false only when the process holds `maxSessions`
   * sessions, the instance is below its own cap, and every session has a request in flight and belongs to
   * another instance.
   */
  hasRoom(instanceId: string): boolean;
  /**
   * Adds a session, first ending expired ones, then the least recently used ones beyond the caps (idle ones
   * first; in flight only of the same instance). Returns false, adding nothing and ending nothing, when there
   * is no room (see {@link hasRoom}).
   */
  add(session: S): boolean;
  /**
   * The session `id` if it is live and belongs to this instance and key. A session of another instance or key is
   * reported `foreign` and left alone (it is not the caller's to end).
   */
  find(id: string, instanceId: string, keyId: string): FoundSession<S>;
  /** A request of the session starts: it is used now, and not idle until {@link finish}. */
  begin(session: S): void;
  /** A request of the session ended. */
  finish(session: S): void;
  /** Forgets a session that closed by itself (DELETE, transport closed) without closing it again. */
  forget(session: S): void;
  /** Ends one session. */
  end(session: S): Promise<void>;
  /** Ends every session matching `filter`; returns how many. */
  endWhere(filter: SessionFilter): number;
  /** Live sessions of an instance. */
  ofInstance(instanceId: string): S[];
  /** Ends idle sessions (no request in flight, none for `idleTimeoutMs`); returns how many. */
  sweep(): number;
  /** Ends every session and waits for them to close. */
  endAll(): Promise<void>;
}

interface Slot<S> {
  session: S;
  lastSeenAt: number;
  inFlight: number;
}

/**
 * Creates the session table: insertion-ordered maps kept in least-recently-used order (a use moves a session to
 * the end), so expiry sweeps stop at the first fresh session and eviction takes the first idle one (internal).
 * Time comes from `now` only.
 */
export function createSessionTable<S extends SessionEntry>(
  options: ResolvedSessionOptions,
  now: Clock,
  onCloseError: (error: unknown) => void,
): SessionTable<S> {
  const slots = new Map<string, Slot<S>>();
  const byInstance = new Map<string, Map<string, Slot<S>>>();

  const expired = (slot: Slot<S>, at: number): boolean =>
    slot.inFlight === 0 && at - slot.lastSeenAt >= options.idleTimeoutMs;

  const remove = (slot: Slot<S>): boolean => {
    const { id, instanceId } = slot.session;
    if (slots.get(id) !== slot) return false;
    slots.delete(id);
    const ofInstance = byInstance.get(instanceId);
    ofInstance?.delete(id);
    if (ofInstance?.size === 0) byInstance.delete(instanceId);
    return true;
  };

  const endSlot = (slot: Slot<S>): Promise<void> => {
    if (!remove(slot)) return Promise.resolve();
    return slot.session.close().catch(onCloseError);
  };

  const touch = (slot: Slot<S>): void => {
    const { id, instanceId } = slot.session;
    slot.lastSeenAt = now();
    slots.delete(id);
    slots.set(id, slot);
    const ofInstance = byInstance.get(instanceId);
    ofInstance?.delete(id);
    ofInstance?.set(id, slot);
  };

  /**
   * The least recently used slot with no request in flight, else the least recently used one of `instanceId`:
   * an instance may lose its own busy sessions to its new ones, never another instance's.
   */
  const victim = (candidates: Map<string, Slot<S>>, instanceId: string): Slot<S> | undefined => {
    let busy: Slot<S> | undefined;
    for (const slot of candidates.values()) {
      if (slot.inFlight === 0) return slot;
      if (busy === undefined && slot.session.instanceId === instanceId) busy = slot;
    }
    return busy;
  };

  const hasRoom = (instanceId: string): boolean => {
    if (slots.size < options.maxSessions) return true;
    // Ending one of its own sessions for the per-instance cap also makes room in the process.
    if ((byInstance.get(instanceId)?.size ?? 0) >= options.maxSessionsPerInstance) return true;
    return victim(slots, instanceId) !== undefined;
  };

  const slotOf = (session: S): Slot<S> | undefined => {
    const slot = slots.get(session.id);
    return slot?.session === session ? slot : undefined;
  };

  const table: SessionTable<S> = {
    get size() {
      return slots.size;
    },
    hasRoom(instanceId) {
      table.sweep();
      return hasRoom(instanceId);
    },
    add(session) {
      const { instanceId } = session;
      table.sweep();
      if (!hasRoom(instanceId)) return false;
      const ofInstance = byInstance.get(instanceId) ?? new Map<string, Slot<S>>();
      for (
        let slot = victim(ofInstance, instanceId);
        ofInstance.size >= options.maxSessionsPerInstance && slot;
      ) {
        void endSlot(slot);
        slot = victim(ofInstance, instanceId);
      }
      for (let slot = victim(slots, instanceId); slots.size >= options.maxSessions && slot; ) {
        void endSlot(slot);
        slot = victim(slots, instanceId);
      }
      const slot: Slot<S> = { session, lastSeenAt: now(), inFlight: 0 };
      slots.set(session.id, slot);
      ofInstance.set(session.id, slot);
      byInstance.set(instanceId, ofInstance);
      return true;
    },
    find(id, instanceId, keyId) {
      const slot = slots.get(id);
      if (slot === undefined) return { missing: 'unknown' };
      if (slot.session.instanceId !== instanceId || slot.session.keyId !== keyId)
        return { missing: 'foreign' };
      if (expired(slot, now())) {
        void endSlot(slot);
        return { missing: 'expired' };
      }
      return { session: slot.session };
    },
    begin(session) {
      const slot = slotOf(session);
      if (slot === undefined) return;
      slot.inFlight += 1;
      touch(slot);
    },
    finish(session) {
      const slot = slotOf(session);
      if (slot === undefined) return;
      slot.inFlight = Math.max(0, slot.inFlight - 1);
      touch(slot);
    },
    forget(session) {
      const slot = slotOf(session);
      if (slot !== undefined) remove(slot);
    },
    end(session) {
      const slot = slotOf(session);
      return slot === undefined ? Promise.resolve() : endSlot(slot);
    },
    endWhere(filter) {
      let ended = 0;
      for (const slot of [...slots.values()]) {
        if (!matchesFilter(filter, slot.session.instanceId, slot.session.keyId)) continue;
        void endSlot(slot);
        ended += 1;
      }
      return ended;
    },
    ofInstance(instanceId) {
      return [...(byInstance.get(instanceId)?.values() ?? [])].map((slot) => slot.session);
    },
    sweep() {
      const at = now();
      let ended = 0;
      for (const slot of [...slots.values()]) {
        if (slot.inFlight > 0) continue;
        if (!expired(slot, at)) break;
        void endSlot(slot);
        ended += 1;
      }
      return ended;
    },
    async endAll() {
      await Promise.all([...slots.values()].map(endSlot));
    },
  };
  return table;
}
