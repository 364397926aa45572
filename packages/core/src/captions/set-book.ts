import type { SQL } from "drizzle-orm";
import { and, asc, eq, inArray, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { captionSets, casts, generationSessions } from "@spellcast/db";

import { castOwnCost } from "../casts/carried-steps";
import { castInputSchema } from "../casts/schema";
import { anyOf } from "../lib/any-of";
import type { CaptionRow, CaptionSetRow } from "./snapshot";
import { emitCaptionEvent, emitCaptionSetEvent, updateCaptionSet } from "./snapshot";

/** A set still running or paused: its last caption flips it. */
export const isOpenSet = (status: CaptionSetRow["status"]) => status === "in_progress" || status === "paused";

interface SetEntry {
  row: CaptionSetRow;
  charged: number;
  landed: CaptionRow[];
  /** What the set's active casts may still charge when first asked (null: not asked yet). */
  committed: number | null;
  /** Budget this transaction gave new casts on top of `committed`. */
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
  /**
   * Credits new casts may still take within the budget (Infinity without one; 0 unless in
   * progress): the budget less what was spent and what the active casts may still charge. A cast
   * is admitted whole, so the casts a run starts can always finish within its budget.
   */
  room(setId: string): Promise<number>;
  /** Takes `amount` of the room for new casts (their whole cost). */
  admit(setId: string, amount: number): void;
  /**
   * Credits the user's active casts will still need holds for (their steps after the one held
   * now, and a step waiting for credits), as of this transaction's first call, plus what `owe`
   * added since: new casts are admitted only if the credits cover these and their whole cost.
   */
  owed(userId: string): Promise<number>;
  /** Counts the later steps of casts admitted in this transaction (their first step is held). */
  owe(userId: string, amount: number): void;
  /** The set's active casts may take their next steps: it is in progress, or paused (no new casts). */
  open(setId: string): boolean;
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
  const entries = new Map<string, SetEntry>(rows.map((row) => [row.id, { row, charged: 0, landed: [], committed: null, admitted: 0, pause: false }]));
  const entry = (setId: string) => {
    const e = entries.get(setId);
    if (!e) throw new Error(`caption set ${setId} is not locked by this transaction`);
    return e;
  };
  const room = async (setId: string) => {
    const e = entry(setId);
    if (e.row.status !== "in_progress" || e.pause) return 0;
    if (e.row.budget === null) return Number.POSITIVE_INFINITY;
    e.committed ??= await committedForSet(tx, setId);
    return e.row.budget - (e.row.spent + e.charged) - e.committed - e.admitted;
  };
  const owedBy = new Map<string, { read: Promise<number>; added: number }>();
  return {
    row: (setId) => entries.get(setId)?.row ?? null,
    charge: (setId, amount) => {
      entry(setId).charged += amount;
    },
    room,
    admit: (setId, amount) => {
      entry(setId).admitted += amount;
    },
    async owed(userId) {
      let e = owedBy.get(userId);
      if (!e) owedBy.set(userId, (e = { read: owedForUser(tx, userId), added: 0 }));
      return (await e.read) + e.added;
    },
    owe(userId, amount) {
      const e = owedBy.get(userId);
      if (e) e.added += amount;
    },
    open: (setId) => isOpenSet(entry(setId).row.status),
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

/**
 * What the set's active casts (queued or running, waiting between steps included) may still
 * charge: each one's whole cost less its steps already completed. Read only for a set with a
 * budget, when it casts more images.
 */
export function committedForSet(tx: DbOrTx, setId: string): Promise<number> {
  return stillToPay(tx, eq(casts.captionSetId, setId), { lessHeld: false });
}

/**
 * What the user's active casts will still need holds for: each one's whole cost less its
 * completed steps and the step it holds now.
 */
export function owedForUser(tx: DbOrTx, userId: string): Promise<number> {
  return stillToPay(tx, eq(casts.userId, userId), { lessHeld: true });
}

/**
 * Σ over the active casts `which` selects: the cost of the steps each runs itself (not those it
 * carried over) less its completed ones (and, `lessHeld`, the step held now).
 */
async function stillToPay(tx: DbOrTx, which: SQL, { lessHeld }: { lessHeld: boolean }): Promise<number> {
  const completedCost = sql<string>`coalesce(sum(${generationSessions.cost}) filter (where ${generationSessions.status} = 'completed'), 0)`;
  const heldCost = lessHeld
    ? sql<string>`coalesce(sum(${generationSessions.cost}) filter (where ${generationSessions.status} in ('queued', 'running') and ${generationSessions.reservationId} is not null), 0)`
    : sql<string>`0`;
  const rows = await tx
    .select({ input: casts.input, completedCost, heldCost })
    .from(casts)
    .leftJoin(generationSessions, eq(generationSessions.castId, casts.id))
    .where(and(which, inArray(casts.status, ["queued", "running"])))
    .groupBy(casts.id);
  return rows.reduce((sum, r) => sum + Math.max(0, castOwnCost(castInputSchema.parse(r.input)) - Number(r.completedCost) - Number(r.heldCost)), 0);
}
