import { and, eq } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { casts } from "@spellcast/db";

import { DomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { assertUuid } from "../spells/manage-spells";
import type { CastSnapshot } from "../spells/schema";
import { findCarryOvers, ownSteps } from "./carried-steps";
import type { CreateCastResult } from "./create-cast";
import { assertAffordable, castByClientKey, insertCastInTx, resolveSource } from "./create-cast";
import { lockAccountInTx } from "./lock-account";
import type { CastInput, StepOptions } from "./schema";
import { castInputOf, toCastSnapshot } from "./snapshot";

/**
 * The client key of a failed cast's retry: one retry per failed cast, whoever asks and however
 * often (a double click, a second tab, the page opened again). A retry that fails is retried in turn.
 */
export const retryKeyOf = (castId: string) => `retry-${castId}`;

/**
 * Casts a failed single cast again, as it was (its frozen steps, on its input), in a new cast that
 * carries over the steps the failed one completed (see `findCarryOvers`): only the failed step
 * and those after it run, and are charged. The image it read must still be in the user's dataset.
 * A caption run's cast is re-run from its run instead. A cast retried already returns its retry.
 */
export async function retryCast(db: Database, params: { userId: string; castId: string }, options: StepOptions): Promise<CreateCastResult> {
  assertUuid(params.castId, "Cast");
  const clientKey = retryKeyOf(params.castId);
  return db.transaction((tx) =>
    withEventsLast(tx, async () => {
      const account = await lockAccountInTx(tx, params.userId);
      const repeated = await castByClientKey(tx, params.userId, clientKey);
      if (repeated) return { cast: toCastSnapshot(repeated), jobs: [], created: false };
      const [failed] = await tx.select().from(casts).where(and(eq(casts.id, params.castId), eq(casts.userId, params.userId)));
      if (!failed) throw new DomainError("NOT_FOUND", "Cast not found");
      if (failed.captionSetId) throw new DomainError("INVALID_INPUT", "This cast is part of a caption run: re-run its failed captions from the run's page");
      if (failed.status !== "failed") throw new DomainError("INVALID_STATE", "Only a failed cast can be retried");
      const frozen = castInputOf(failed);
      const source = frozen.source.kind === "text" ? frozen.source : await resolveSource(tx, params.userId, frozen.source);
      const carry = (await findCarryOvers(tx, [{ castId: failed.id, source }], frozen.steps)).get(failed.id);
      const { maxAttempts, holdMs } = options;
      const input: CastInput = { steps: frozen.steps, source, options: { maxAttempts, holdMs }, ...(carry && { carriedFrom: carry.carried }) };
      assertAffordable(account, ownSteps(input), "retry this cast");
      return insertCastInTx(tx, { userId: params.userId, spellId: failed.spellId, clientKey, input, carry });
    }),
  );
}

/** The retry of one of the user's casts, if it was retried. */
export async function findCastRetry(db: DbOrTx, params: { userId: string; castId: string }): Promise<CastSnapshot | null> {
  assertUuid(params.castId, "Cast");
  const row = await castByClientKey(db, params.userId, retryKeyOf(params.castId));
  return row ? toCastSnapshot(row) : null;
}
