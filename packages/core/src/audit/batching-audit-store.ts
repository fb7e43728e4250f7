import { ConfigError, StoreError } from '../errors/index.js';
import type { AuditEvent, AuditStore } from '../store/ports.js';
import { type Logger, silentLogger } from '../util/types.js';

/** Options of {@link createBatchingAuditStore}. */
export interface BatchingAuditOptions {
  /** Most records written by one statement. @default 500 */
  maxBatch?: number;
  /**
   * Most records waiting while a write is in flight (a store that is down must not grow memory without bound).
   * Beyond it, new records are refused: their `appendAudit` rejects with StoreError `STORE_UNAVAILABLE`.
   * @default 10_000
   */
  maxQueued?: number;
  /** Where a refused backlog is reported (counts only). @default silentLogger */
  logger?: Logger;
}

/** An {@link AuditStore} that groups concurrent appends, plus what it holds. */
export interface BatchingAuditStore extends AuditStore {
  /** Records queued or being written. */
  pending(): number;
  /** Resolves once every record appended so far has been written (or has failed). */
  drain(): Promise<void>;
}

interface Waiting {
  event: AuditEvent;
  resolve(): void;
  reject(error: unknown): void;
}

function positive(option: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < 1) {
    throw new ConfigError(option, 'must be a positive integer');
  }
  return resolved;
}

/**
 * Wraps an audit store so that records appended while a write is in flight are written together by the next
 * one ("group commit"): an idle store writes each record at once, a busy one (hundreds of tool calls a second)
 * writes one multi-row `INSERT` per round trip instead of one per call. No timer: nothing waits for a batch
 * to fill. Each `appendAudit` still resolves or rejects with the write that carried its record, so callers that
 * await it keep their semantics. Uses the store's `appendAudits` when it has one, else appends one by one.
 *
 * @throws ConfigError when an option is not a positive integer.
 * @example
 * ```ts
 * const audit = createBatchingAuditStore(store.audit, { logger });
 * await audit.appendAudit({ at: new Date(), instanceId, actor: 'api_key:…', event: 'tool.called', … });
 * ```
 */
export function createBatchingAuditStore(
  inner: AuditStore,
  options: BatchingAuditOptions = {},
): BatchingAuditStore {
  const maxBatch = positive('maxBatch', options.maxBatch, 500);
  const maxQueued = positive('maxQueued', options.maxQueued, 10_000);
  const logger = options.logger ?? silentLogger;
  const queue: Waiting[] = [];
  let inFlight: Promise<void> | undefined;
  let writing = 0;
  let refused = 0;

  async function write(batch: Waiting[]): Promise<void> {
    const events = batch.map((waiting) => waiting.event);
    try {
      if (inner.appendAudits !== undefined) await inner.appendAudits(events);
      else for (const event of events) await inner.appendAudit(event);
      for (const waiting of batch) waiting.resolve();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  async function pump(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      writing = batch.length;
      await write(batch);
      writing = 0;
    }
    if (refused > 0) {
      logger.warn({ refused, maxQueued }, 'audit backlog was full; records were not written');
      refused = 0;
    }
  }

  function start(): void {
    if (inFlight !== undefined) return;
    inFlight = pump().finally(() => {
      inFlight = undefined;
    });
  }

  function appendAudit(event: AuditEvent): Promise<void> {
    if (queue.length >= maxQueued) {
      if (refused === 0)
        logger.warn({ maxQueued }, 'audit backlog is full; refusing records until it drains');
      refused++;
      return Promise.reject(
        new StoreError(
          'STORE_UNAVAILABLE',
          `The audit backlog is full (${maxQueued} records waiting); this record was not written.`,
        ),
      );
    }
    const done = new Promise<void>((resolve, reject) => {
      queue.push({ event, resolve, reject });
    });
    start();
    return done;
  }

  return {
    appendAudit,
    async appendAudits(events) {
      await Promise.all(events.map(appendAudit));
    },
    listAudit: (query) => inner.listAudit(query),
    pending: () => queue.length + writing,
    async drain() {
      while (inFlight !== undefined) await inFlight;
    },
  };
}
