import { and, eq } from "drizzle-orm";

import type { Database } from "@spellcast/db";
import { casts } from "@spellcast/db";

import { DomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { parseDomainInput } from "../parse-input";
import { clientKeySchema } from "../sessions/schema";
import { assertUuid } from "../spells/manage-spells";
import { findCarryOvers, ownSteps } from "./carried-steps";
import type { CreateCastResult } from "./create-cast";
import { assertAffordable, castByClientKey, insertCastInTx, resolveSource } from "./create-cast";
import { lockAccountInTx } from "./lock-account";
import type { CastInput, StepOptions } from "./schema";
import { castInputOf, toCastSnapshot } from "./snapshot";

/**
 * Casts a failed single cast again, as it was (its frozen steps, on its input), in a new cast that
 * carries over the steps the failed one completed (see `findCarryOvers`): only the failed step
 * and those after it run, and are charged. The image it read must still be in the user's dataset.
 * A caption run's cast is re-run from its run instead. The same clientKey returns the first retry.
 */
export async function retryCast(
  db: Database,
  params: { userId: string; castId: string; clientKey?: string },
  options: StepOptions,
): Promise<CreateCastResult> {
  assertUuid(params.castId, "Cast");
  const clientKey = params.clientKey === undefined ? null : parseDomainInput(clientKeySchema, params.clientKey);
  return db.transaction((tx) =>
    withEventsLast(tx, async () => {
      const account = await lockAccountInTx(tx, params.userId);
      const repeated = clientKey === null ? null : await castByClientKey(tx, params.userId, clientKey);
      if (repeated) return { cast: toCastSnapshot(repeated), jobs: [], created: false };
      const [failed] = await tx.select().from(casts).where(and(eq(casts.id, params.castId), eq(casts.userId, params.userId)));
      if (!failed) throw new DomainError("NOT_FOUND", "Cast not found");
      if (failed.captionSetId) throw new DomainError("INVALID_INPUT", "This cast is part of a caption run: re-run its failed captions from the run's page");
      if (failed.status !== "failed") throw new DomainError("INVALID_STATE", "Only a failed cast can be retried");
      const frozen = castInputOf(failed);
      const source = frozen.source.kind === "text" ? frozen.source : await resolveSource(tx, params.userId, frozen.source);
      const carry = (await findCarryOvers(tx, [{ castId: failed.id, source }], frozen.steps)).get(failed.id);
      const input: CastInput = { steps: frozen.steps, source, options: { maxAttempts: options.maxAttempts, holdMs: options.holdMs } };
      assertAffordable(account, ownSteps({ ...input, carriedFrom: carry?.carried }), "retry this cast");
      return insertCastInTx(tx, { userId: params.userId, spellId: failed.spellId, clientKey, input, carry });
    }),
  );
}
