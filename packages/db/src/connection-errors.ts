/**
 * postgres-js's codes for a connection that failed or ended, the socket errors it passes on, and
 * Postgres's connection-exception (08…, but for 08P01, a protocol violation, which a retry would
 * only repeat) and shutdown (57P01–57P03) SQLSTATEs.
 */
const CONNECTION_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);
const isConnectionCode = (code: string) => CONNECTION_CODES.has(code) || (code.startsWith("08") && code !== "08P01") || /^57P0[1-3]$/.test(code);

/**
 * Raised by the database client: a statement's error (Drizzle's wrapper and postgres-js both carry
 * the query), a server error, or postgres-js's own connection error (its `errno` is the code, a
 * string; a Node socket's is a number). So an HTTP call's ECONNREFUSED is not the database's.
 */
const fromDatabaseClient = (e: Error) => "query" in e || e.name === "PostgresError" || typeof (e as { errno?: unknown }).errno === "string";

/**
 * Whether `err` is a statement or transaction that failed because the database could not be
 * reached or ended the connection (a restart, a failover): nothing of it committed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let fromClient = false;
  let lostConnection = false;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    if (fromDatabaseClient(e)) fromClient = true;
    const code: unknown = (e as { code?: unknown }).code;
    if (typeof code === "string" && isConnectionCode(code)) lostConnection = true;
  }
  return fromClient && lostConnection;
}
