/**
 * postgres-js's codes for a connection that failed or ended, the socket errors it passes on, and
 * Postgres's connection-exception (08…) and shutdown (57P01–57P03) SQLSTATEs.
 */
const CONNECTION_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);
const isConnectionCode = (code: string) => CONNECTION_CODES.has(code) || code.startsWith("08") || /^57P0[1-3]$/.test(code);

/**
 * Whether `err` is a statement that failed because the database could not be reached or ended the
 * connection (a restart, a failover): it did not commit, so it changed nothing. Only errors of a
 * query count (Drizzle's wrapper and postgres-js both carry the query), so an HTTP call's
 * ECONNREFUSED is not taken for the database's.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let ofQuery = false;
  let lostConnection = false;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    if ("query" in e) ofQuery = true;
    const code: unknown = (e as { code?: unknown }).code;
    if (typeof code === "string" && isConnectionCode(code)) lostConnection = true;
  }
  return ofQuery && lostConnection;
}
