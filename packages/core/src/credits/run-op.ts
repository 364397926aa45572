import type { DbOrTx } from "@spellcast/db";

import { applyOps } from "./apply-ops";
import type { LedgerOp, LedgerResult } from "./types";

/** Postgres error code of a driver error, also when Drizzle wrapped it (`DrizzleQueryError.cause`). */
export function pgErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A unique violation of the named index or constraint (Postgres 23505). */
export function isUniqueViolationOf(err: unknown, constraint: string): boolean {
  if (pgErrorCode(err) !== "23505") return false;
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    if ((e as { constraint_name?: unknown }).constraint_name === constraint) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Deadlock or serialization failure: the transaction did nothing and can be run again. */
export const isRetryableTxError = (err: unknown) => ["40P01", "40001"].includes(pgErrorCode(err) ?? "");

/**
 * Runs `fn` in its own transaction (a savepoint when `db` is already a transaction), again up to
 * twice after a deadlock. Every ledger op is idempotent, so a rerun cannot apply anything twice.
 */
export async function inTransaction<T>(db: DbOrTx, fn: (tx: DbOrTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      if (attempt >= 3 || !isRetryableTxError(err)) throw err;
    }
  }
}

/** Applies one op in `tx`; a rejected op throws its DomainError (and has written nothing). */
export async function applyOne(tx: DbOrTx, op: LedgerOp): Promise<LedgerResult> {
  const [outcome] = await applyOps(tx, [op]);
  if (!outcome) throw new Error("ledger: no outcome");
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
