import { and, asc, eq, inArray, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { captionSets, casts, generationSessions } from "@spellcast/db";

import { anyOf } from "../lib/any-of";
import type { CaptionRow, CaptionSetRow } from "./snapshot";
import { emitCaptionEvent, emitCaptionSetEvent, updateCaptionSet } from "./snapshot";

/** A set still running or paused: its last caption flips it. */
export const isOpenSet = (status: CaptionSetRow["status"]) => status === "in_progress" || status === "paused";

interface SetEntry {
  row: CaptionSetRow;
  charged: number;
  landed: CaptionRow[];
  /** Credits held for the set's open steps when first asked (null: not asked yet). */
  held: number | null;
  /** Holds this transaction admitted on top of `held`. */
  admitted: number;
  pause: boolean;
}

/**
 * The caption sets one transaction touches: locked once (in id order, after the account lock),
 * changed in memory as the transaction's casts move on, and written once at its end — one UPDATE
 * and its events per set, whatever the number of captions that landed. Under the row lock exactly
 * one transaction sees the last count, so a set flips to `completed` exactly once.
 */
export interface SetBook {
  row(setId: string): CaptionSetRow | null;
  /** Counts credits captured for a step of one of the set's casts. */
  charge(setId: string, amount: number): void;
  /** Credits a new hold may still take within the budget (Infinity without one); 0 unless in progress. */
  room(setId: string): Promise<number>;
  /** Takes `cost` of the room for a step about to be created; false (nothing taken) if it does not fit. */
  admit(setId: string, cost: number): Promise<boolean>;
  /** Gives back what `admit` took (the ledger refused the hold). */
  unadmit(setId: string, cost: number): void;
  /** The set turns `paused` at the end (if it is still in progress). */
  pause(setId: string): void;
  landed(setId: string, caption: CaptionRow): void;
  /** Writes every changed set and its events; returns the sets that flipped, with their new status. */
  flush(): Promise<Map<string, CaptionSetRow["status"]>>;
}

/** Locks the sets (in id order) named, or those of the casts named (the casts are locked first by the caller). */
export async function lockSetBook(tx: DbOrTx, which: readonly string[] | { ofCasts: readonly string[] }): Promise<SetBook> {
  const filter = Array.isArray(which)
    ? which.length > 0 ? anyOf(captionSets.id, which) : null
    : "ofCasts" in which && which.ofCasts.length > 0
      ? inArray(captionSets.id, tx.select({ id: casts.captionSetId }).from(casts).where(anyOf(casts.id, which.ofCasts)))
      : null;
  const rows = filter ? await tx.select().from(captionSets).where(filter).orderBy(asc(captionSets.id)).for("update") : [];
  const entries = new Map<string, SetEntry>(rows.map((row) => [row.id, { row, charged: 0, landed: [], held: null, admitted: 0, pause: false }]));
  const entry = (setId: string) => {
    const e = entries.get(setId);
    if (!e) throw new Error(`caption set ${setId} is not locked by this transaction`);
    return e;
  };
  const room = async (setId: string) => {
    const e = entry(setId);
    if (e.row.status !== "in_progress" || e.pause) return 0;
    if (e.row.budget === null) return Number.POSITIVE_INFINITY;
    e.held ??= await heldForSet(tx, setId);
    return e.row.budget - (e.row.spent + e.charged) - e.held - e.admitted;
  };
  return {
    row: (setId) => entries.get(setId)?.row ?? null,
    charge: (setId, amount) => {
      entry(setId).charged += amount;
    },
    room,
    async admit(setId, cost) {
      const e = entry(setId);
      if (e.row.status !== "in_progress" || e.pause) return false;
      if (cost === 0) return true;
      if ((await room(setId)) < cost) return false;
      e.admitted += cost;
      return true;
    },
    unadmit: (setId, cost) => {
      entry(setId).admitted -= cost;
    },
    pause: (setId) => {
      entry(setId).pause = true;
    },
    landed: (setId, caption) => {
      entry(setId).landed.push(caption);
    },
    async flush() {
      const flips = new Map<string, CaptionSetRow["status"]>();
      for (const e of entries.values()) {
        const pausing = e.pause && e.row.status === "in_progress";
        if (e.charged === 0 && e.landed.length === 0 && !pausing) continue;
        const done = e.row.done + e.landed.length;
        const finish = isOpenSet(e.row.status) && done + e.row.failed >= e.row.total;
        const status = finish ? (e.row.failed > 0 ? "completed_with_errors" : "completed") : pausing ? "paused" : e.row.status;
        const row = await updateCaptionSet(tx, e.row.id, {
          spent: e.row.spent + e.charged,
          done,
          status,
          ...(finish ? { completedAt: new Date() } : {}),
        });
        // Each caption's event carries the count as of that caption, so progress reads 1, 2, 3…
        // even when several land in one transaction; the last one carries the set as written.
        for (const [i, caption] of e.landed.entries()) {
          const asOf = i === e.landed.length - 1 ? row : { ...row, done: e.row.done + i + 1, status: e.row.status, completedAt: e.row.completedAt };
          await emitCaptionEvent(tx, row.userId, caption, asOf);
        }
        if (status !== e.row.status) await emitCaptionSetEvent(tx, row);
        if (finish) flips.set(row.id, row.status);
        e.row = row;
        e.charged = 0;
        e.landed = [];
        e.pause = false;
      }
      return flips;
    },
  };
}

/** Credits on hold for the set's open steps (queued or running sessions of its casts). */
export async function heldForSet(tx: DbOrTx, setId: string): Promise<number> {
  const [row] = await tx
    .select({ held: sql<string>`coalesce(sum(${generationSessions.cost}), 0)` })
    .from(generationSessions)
    .innerJoin(casts, eq(casts.id, generationSessions.castId))
    .where(and(eq(casts.captionSetId, setId), inArray(generationSessions.status, ["queued", "running"])));
  return Number(row?.held ?? 0);
}
