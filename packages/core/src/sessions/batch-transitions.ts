import { and, asc, getTableColumns, notInArray, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import { anyOf, recordset } from "../lib/any-of";
import { advanceCastsInTx, lockCastsAndSets } from "../casts/advance-cast";
import type { ChainResult, ContinueAs } from "../casts/schema";
import { emptyChain } from "../casts/schema";
import type { LedgerBatch } from "../credits/ledger-batch";
import { createLedgerBatch } from "../credits/ledger-batch";
import { inTransaction } from "../credits/run-op";
import { toCaptureOp } from "../credits/settle-reservation";
import { withEventsLast } from "../events/append-event";
import type { SessionOutputs, SessionSnapshot } from "./schema";
import { isTerminalStatus, terminalStatuses } from "./schema";
import type { SessionRow } from "./snapshot";
import { emitSessionEvent, toSessionSnapshot } from "./snapshot";
import { leaseDeadline } from "./running-lease";

/*
 * Session transitions for many sessions in one transaction, a statement per table rather than
 * per session: the worker's group commit (lib/group-commit.ts, wired up in
 * apps/worker/src/session-transitions.ts) hands in every transition that arrived while the
 * previous batch committed. Each result is what the same call alone would have returned; a batch
 * of one is the single-session path.
 */

export interface RunningInput {
  sessionId: string;
  /** 1-based attempt number. */
  attempt: number;
  /** The lease its worker renews while it runs (see `renewRunningLeases`). */
  leaseMs: number;
}

/** Per input: the running session, null when it is already terminal, undefined when it does not exist. */
export type RunningResult = SessionSnapshot | null | undefined;

export function markSessionsRunning(db: Database, items: readonly RunningInput[]): Promise<RunningResult[]> {
  return inTransaction(db, (tx) => withEventsLast(tx, () => markSessionsRunningInTx(tx, items)));
}

export async function markSessionsRunningInTx(tx: DbOrTx, items: readonly RunningInput[]): Promise<RunningResult[]> {
  if (items.length === 0) return [];
  const ids = [...new Set(items.map((i) => i.sessionId))];
  const byId = new Map(items.map((i) => [i.sessionId, { id: i.sessionId, attempt: i.attempt, lease_ms: i.leaseMs }]));
  const rows = await tx
    .update(generationSessions)
    .set({
      status: "running",
      attempts: sql`greatest(${generationSessions.attempts}, v.attempt)`,
      startedAt: sql`coalesce(${generationSessions.startedAt}, now())`,
      deadlineAt: leaseDeadline(sql`v.lease_ms`),
      updatedAt: sql`now()`,
    })
    .from(recordset([...byId.values()], "v", "id uuid, attempt integer, lease_ms integer"))
    .where(and(sql`${generationSessions.id} = v.id`, notInArray(generationSessions.status, [...terminalStatuses])))
    .returning(getTableColumns(generationSessions));
  for (const row of rows) await emitSessionEvent(tx, "session_running", row);
  const running = new Map(rows.map((r) => [r.id, toSessionSnapshot(r)]));
  const absent = ids.filter((id) => !running.has(id));
  const existing = absent.length
    ? new Set((await tx.select({ id: generationSessions.id }).from(generationSessions).where(anyOf(generationSessions.id, absent))).map((r) => r.id))
    : new Set<string>();
  return items.map((i) => running.get(i.sessionId) ?? (existing.has(i.sessionId) ? null : undefined));
}

export interface CompleteInput {
  sessionId: string;
  outputs: SessionOutputs;
  /** Charge less than the session's cost (never more). */
  actualCost?: number;
  /** A spell step's job that will run its cast's next paid step itself (created running, owned by it). */
  continueAs?: ContinueAs;
}

/** `completed: false`: the session was already terminal (e.g. canceled mid-call); nothing was charged. */
export interface CompleteResult {
  session: SessionSnapshot;
  completed: boolean;
  chain: ChainResult;
}

export function completeSessions(db: Database, items: readonly CompleteInput[]): Promise<Array<CompleteResult | undefined>> {
  return inTransaction(db, (tx) => withEventsLast(tx, () => completeSessionsInTx(tx, items)));
}

/**
 * Completes sessions: captures each one's cost, stores its outputs and writes its terminal event;
 * spell steps also move their casts on (next step or caption). Locks: sessions in id order, then
 * the accounts of spell steps, casts, sets, events — the order every transaction here keeps.
 * Per input: the result, or undefined when the session does not exist.
 */
export async function completeSessionsInTx(tx: DbOrTx, items: readonly CompleteInput[]): Promise<Array<CompleteResult | undefined>> {
  if (items.length === 0) return [];
  const ids = [...new Set(items.map((i) => i.sessionId))].sort();
  const locked = await tx.select().from(generationSessions).where(anyOf(generationSessions.id, ids)).orderBy(asc(generationSessions.id)).for("update");
  const current = new Map(locked.map((r) => [r.id, r]));
  // The first input per session completes it; a duplicate in the same batch finds it terminal.
  const winners = new Map<string, CompleteInput>();
  for (const item of items) {
    const row = current.get(item.sessionId);
    if (row && !isTerminalStatus(row.status) && !winners.has(row.id)) winners.set(row.id, item);
  }
  const live = [...winners.values()];
  const rows = live.flatMap((i) => current.get(i.sessionId) ?? []);
  // Every account the batch writes (captures, and holds for casts' next steps), locked by one
  // statement in user order before anything else: two batches never hold one account each while
  // waiting for the other's.
  const accounts = [...new Set(rows.filter((r) => r.castId || isPaid(r)).map((r) => r.userId))].sort();
  const castIds = [...new Set(rows.flatMap((r) => (r.castId ? [r.castId] : [])))];
  // The batch's ledger work is decided as it goes and written once, at its end (ledger-batch.ts).
  const ledger = createLedgerBatch(tx);
  // Pipelined, in lock order: the accounts, the reservations to capture, then the casts and their sets.
  const [, charged, completed, castLocks] = await Promise.all([
    ledger.lock(accounts),
    capture(ledger, live, current),
    storeOutputs(tx, live, current),
    lockCastsAndSets(tx, castIds),
  ]);
  for (const row of completed.values()) await emitSessionEvent(tx, "session_completed", row);
  const chains = await advanceCastsInTx(
    tx,
    [...completed.values()].map((session) => {
      const input = winners.get(session.id);
      return { session, charged: charged.get(session.id) ?? 0, snapshot: input?.outputs, continueAs: input?.continueAs };
    }),
    castLocks,
    ledger,
  );
  // Written with the casts' last statements when the batch had any; otherwise here.
  await ledger.write();
  return items.map((item) => {
    const done = winners.get(item.sessionId) === item ? completed.get(item.sessionId) : undefined;
    if (done) return { session: toSessionSnapshot(done), completed: true, chain: chains.get(done.id) ?? emptyChain() };
    const row = current.get(item.sessionId);
    return row ? { session: toSessionSnapshot(completed.get(row.id) ?? row), completed: false, chain: emptyChain() } : undefined;
  });
}

/** A session whose completion captures a hold (its account is locked first, with the casts' users). */
const isPaid = (row: SessionRow): row is SessionRow & { reservationId: string } => row.reservationId !== null && row.cost > 0;

/** Decides the capture of every paid session's hold (written with the batch's ledger); returns the credits moved per session. */
async function capture(ledger: LedgerBatch, live: readonly CompleteInput[], current: ReadonlyMap<string, SessionRow>): Promise<Map<string, number>> {
  const paid = live.flatMap((item) => {
    const row = current.get(item.sessionId);
    return row && isPaid(row) ? [{ row, reservationId: row.reservationId, amount: Math.min(item.actualCost ?? row.cost, row.cost) }] : [];
  });
  if (paid.length === 0) return new Map();
  const outcomes = await ledger.decide(
    paid.map((p) => toCaptureOp({ reservationId: p.reservationId, userId: p.row.userId, actualAmount: p.amount, reason: "Generation completed" })),
  );
  const charged = new Map<string, number>();
  paid.forEach((p, i) => {
    const outcome = outcomes[i];
    if (!outcome) throw new Error("ledger: missing outcome");
    if (!outcome.ok) throw outcome.error;
    charged.set(p.row.id, outcome.value.kind === "capture" ? outcome.value.captured : 0);
  });
  return charged;
}

/**
 * Marks the live sessions completed with their outputs. Only the columns it sets come back: the
 * rest of each row is the one this transaction locked, which nothing else can have changed.
 */
async function storeOutputs(tx: DbOrTx, live: readonly CompleteInput[], current: ReadonlyMap<string, SessionRow>): Promise<Map<string, SessionRow>> {
  if (live.length === 0) return new Map();
  const rows = await tx
    .update(generationSessions)
    .set({ status: "completed", outputs: sql`v.outputs`, completedAt: new Date(), deadlineAt: null, updatedAt: sql`now()` })
    .from(recordset(live.map((i) => ({ id: i.sessionId, outputs: i.outputs })), "v", "id uuid, outputs jsonb"))
    .where(sql`${generationSessions.id} = v.id`)
    .returning({
      id: generationSessions.id,
      status: generationSessions.status,
      outputs: generationSessions.outputs,
      completedAt: generationSessions.completedAt,
      deadlineAt: generationSessions.deadlineAt,
      updatedAt: generationSessions.updatedAt,
    });
  // Statement order, not input order: keep the order the inputs came in (events in that order).
  const byId = new Map(rows.map((r) => [r.id, r]));
  return new Map(live.flatMap((i) => {
    const changed = byId.get(i.sessionId);
    const locked = current.get(i.sessionId);
    return changed && locked ? [[changed.id, { ...locked, ...changed }] as const] : [];
  }));
}
