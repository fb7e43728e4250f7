import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * The subset of `@electric-sql/pglite`'s `PGlite` the dialect uses, so core never imports pglite.
 * A `PGlite` instance (0.2 and later) satisfies it.
 */
export interface PGliteLike {
  query<T>(
    query: string,
    params?: unknown[],
    options?: { rowMode?: 'object' | 'array' },
  ): Promise<{ rows: T[]; command?: string; rowCount?: number; affectedRows?: number }>;
}

const AFFECTING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** A FIFO promise mutex: `lock()` resolves with a release function once every earlier holder released. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  async lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    await previous;
    return release;
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGliteLike;

  constructor(pglite: PGliteLike) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], {
      rowMode: 'object',
    });
    const command = result.command?.toUpperCase();
    if (command === 'COMMIT' || command === 'ROLLBACK') {
      return { rows: [{ command } as R] };
    }
    const affected = result.rowCount ?? result.affectedRows;
    return {
      rows: result.rows ?? [],
      ...(command !== undefined && AFFECTING_COMMANDS.has(command)
        ? { numAffectedRows: BigInt(affected ?? 0) }
        : {}),
    };
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0)
      throw new Error('chunkSize must be a positive integer');
    // PGlite has no cursors over this API: run the query once and hand the rows out in chunks.
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly #mutex = new Mutex();
  #release: (() => void) | undefined;

  constructor(pglite: PGliteLike) {
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  // PGlite is a single session: a connection is held from acquire to release, so statements of concurrent
  // transactions (or a query issued while a transaction is open) never interleave.
  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.lock();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      statement = 'start transaction';
      if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) statement += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const { rows } = await connection.executeQuery<{ command?: string }>(CompiledQuery.raw('commit'));
    // PostgreSQL answers COMMIT of an aborted transaction with a ROLLBACK tag.
    if (rows[0]?.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    // The PGlite instance belongs to the caller, who closes it after `db.destroy()`.
  }
}

/**
 * A kysely {@link Dialect} for an embedded PGlite database (PostgreSQL compiled to WASM). Uses kysely's
 * Postgres adapter, query compiler and introspector, so queries and migrations are the same as on PostgreSQL.
 *
 * PGlite has exactly one session; the driver serialises connections with a FIFO mutex held from acquire to
 * release. Consequence: inside `db.transaction()` use the transaction object only — a query on the outer
 * `db` waits for the transaction to end and would deadlock.
 *
 * `db.destroy()` does not close the PGlite instance; close it yourself afterwards.
 *
 * @example
 * ```ts
 * const pglite = await PGlite.create('./.data/pg');
 * const db = new Kysely<Database>({ dialect: createPGliteDialect(pglite) });
 * await migrateToLatest(db);
 * ```
 */
export function createPGliteDialect(pglite: PGliteLike): Dialect {
  return {
    createAdapter: (): DialectAdapter => new PostgresAdapter(),
    createDriver: (): Driver => new PGliteDriver(pglite),
    createQueryCompiler: (): QueryCompiler => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => new PostgresIntrospector(db),
  };
}
