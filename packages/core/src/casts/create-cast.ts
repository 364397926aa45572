import { and, eq, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { casts, datasetImages, datasets } from "@spellcast/db";

import { DomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { parseDomainInput } from "../parse-input";
import { getSpell } from "../spells/manage-spells";
import type { CastSnapshot, SpellSnapshot, SpellStep } from "../spells/schema";
import { stepCost } from "../spells/tools";
import { lockSetBook } from "../captions/set-book";
import { createLedgerBatch } from "../credits/ledger-batch";
import type { CarryOver } from "./carried-steps";
import { continueCastsInTx } from "./continue-casts";
import { isLocalStep } from "./steps";
import { lockAccountInTx } from "./lock-account";
import type { CastInput, CastRequest, CastSource, StepInput, StepJob, StepOptions } from "./schema";
import { castRequestSchema } from "./schema";
import type { CastRow } from "./snapshot";
import { emitCastEvent, isActiveCast, lockCast, toCastSnapshot } from "./snapshot";

/**
 * The cast as committed, and its step jobs: enqueue them after the commit (job id `gen_<sessionId>`).
 * `created: false` is a repeated clientKey: the existing cast, whose jobs the first call enqueued.
 */
export interface CreateCastResult {
  cast: CastSnapshot;
  jobs: StepJob[];
  created: boolean;
}

/** The spell must read what it is given: an image spell needs an image, a text spell text. */
function assertInputKind(spell: SpellSnapshot, source: CastSource): void {
  if (spell.input === source.kind) return;
  throw new DomainError("INVALID_INPUT", `"${spell.name}" takes ${spell.input === "image" ? "an image" : "text"} as input, not ${source.kind === "image" ? "an image" : "text"}`);
}

/** The step input of the source: an image must be in one of the user's datasets (anyone else's is NOT_FOUND). */
export async function resolveSource(db: DbOrTx, userId: string, source: CastSource): Promise<StepInput> {
  if (source.kind === "text") return source;
  const [image] = await db
    .select({ id: datasetImages.id, imageIndex: datasetImages.imageIndex })
    .from(datasetImages)
    .innerJoin(datasets, eq(datasets.id, datasetImages.datasetId))
    .where(and(eq(datasetImages.id, source.imageId), eq(datasetImages.datasetId, source.datasetId), eq(datasets.userId, userId)));
  if (!image) throw new DomainError("NOT_FOUND", "Image not found");
  return { kind: "image", datasetId: source.datasetId, imageId: image.id, imageIndex: image.imageIndex };
}

/** The user's cast made with this clientKey, if any. */
export async function castByClientKey(db: DbOrTx, userId: string, clientKey: string): Promise<CastRow | null> {
  const [row] = await db
    .select()
    .from(casts)
    .where(and(eq(casts.userId, userId), eq(casts.clientKey, clientKey)));
  return row ?? null;
}

/**
 * Casts a spell on one input, outside any caption run. One transaction (account lock first,
 * events last): the cast row, its first step (local steps run here, up to the first provider
 * step, which gets its own reservation) and a `cast_updated` event. INSUFFICIENT_CREDITS when the
 * first paid step does not fit the available credits: nothing is written.
 *
 * The same clientKey from the same user returns the existing cast (its current snapshot, no jobs:
 * the first call enqueued them) and charges nothing more, also when sent concurrently: the account
 * lock serialises the racers, so the later one finds the winner's cast before its balance check
 * (the winner's hold may have used the credits), and the (userId, clientKey) unique index keeps one
 * cast when there is no account row to lock. A repeated key with a different (valid) request still
 * returns the first cast, as generation sessions do.
 */
export async function createCast(
  db: Database,
  params: { userId: string } & CastRequest,
  options: StepOptions,
): Promise<CreateCastResult> {
  const request = parseDomainInput(castRequestSchema, { spellId: params.spellId, input: params.input, clientKey: params.clientKey });
  const clientKey = request.clientKey ?? null;
  const spell = await getSpell(db, { userId: params.userId, spellId: request.spellId });
  assertInputKind(spell, request.input);
  if (spell.steps.length === 0) throw new DomainError("INVALID_INPUT", `"${spell.name}" has no steps`);

  return db.transaction((tx) =>
    withEventsLast(tx, async () => {
      const account = await lockAccountInTx(tx, params.userId);
      const repeated = clientKey === null ? null : await castByClientKey(tx, params.userId, clientKey);
      if (repeated) return { cast: toCastSnapshot(repeated), jobs: [], created: false };
      assertAffordable(account, spell.steps, `cast "${spell.name}"`);
      const source = await resolveSource(tx, params.userId, request.input);
      const input: CastInput = { steps: spell.steps, source, options: { maxAttempts: options.maxAttempts, holdMs: options.holdMs } };
      return insertCastInTx(tx, { userId: params.userId, spellId: spell.id, clientKey, input });
    }),
  );
}

/**
 * INSUFFICIENT_CREDITS unless the available credits cover the first paid step of `steps` (the
 * steps the cast will run), before anything is written. `what` says what was refused.
 */
export function assertAffordable(account: { balance: number; held: number } | null, steps: readonly SpellStep[], what: string): void {
  const firstPaid = steps.find((step) => !isLocalStep(step));
  const cost = firstPaid ? stepCost(firstPaid) : 0;
  if ((account ? account.balance - account.held : 0) < cost) {
    throw new DomainError("INSUFFICIENT_CREDITS", `Not enough credits to ${what} (its first step costs ${cost})`);
  }
}

/**
 * In the caller's transaction (account lock held, events last): inserts the cast and moves it on
 * to its first paid step (local steps run here; that step gets its own reservation) with a
 * `cast_updated` event. With `carry` (named by `input.carriedFrom`), it starts after the steps
 * carried over from a failed cast.
 * A clientKey a racer committed first returns that racer's cast (`created: false`, no jobs).
 */
export async function insertCastInTx(
  tx: DbOrTx,
  row: { userId: string; spellId: string; clientKey: string | null; input: CastInput; carry?: CarryOver },
): Promise<CreateCastResult> {
  const { input, carry, clientKey } = row;
  const source = input.source;
  const [inserted] = await tx
    .insert(casts)
    .values({
      userId: row.userId,
      spellId: row.spellId,
      datasetId: source.kind === "image" ? source.datasetId : null,
      imageId: source.kind === "image" ? source.imageId : null,
      imageIndex: source.kind === "image" ? source.imageIndex : null,
      clientKey,
      status: "queued",
      input,
      stepGenerationIds: carry?.stepIds ?? [],
    })
    .onConflictDoNothing({ target: [casts.userId, casts.clientKey], where: sql`${casts.clientKey} is not null` })
    .returning();
  if (!inserted) {
    // Only a clientKey conflicts: a racer with no account row to serialise on committed first.
    const winner = clientKey === null ? null : await castByClientKey(tx, row.userId, clientKey);
    if (!winner) throw new Error("cast insert returned no row");
    return { cast: toCastSnapshot(winner), jobs: [], created: false };
  }
  const ledger = createLedgerBatch(tx);
  const start = { cast: inserted, fromStep: (carry?.stepIds.length ?? 0) - 1, stored: carry?.stored ?? null, snapshot: null };
  const [chain] = await continueCastsInTx(tx, [start], await lockSetBook(tx, []), ledger);
  const jobs: StepJob[] = chain?.next ?? [];
  const [cast] = await Promise.all([lockCast(tx, inserted.id), ledger.write()]);
  // A cast that ran to its end here (local steps only) already wrote its terminal event.
  if (isActiveCast(cast.status)) await emitCastEvent(tx, cast);
  return { cast: toCastSnapshot(cast), jobs, created: true };
}
