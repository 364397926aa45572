import type { DbOrTx } from "@spellcast/db";

import { grantCredits } from "./grant-credits";
import type { GrantResult } from "./types";

export const STARTING_CREDITS_REASON = "Welcome credits";

/** The idempotency key of a user's one starting grant. */
export const startingGrantKey = (userId: string) => `signup:${userId}`;

/**
 * A new user's welcome grant (the `onUserCreated` auth hook calls this). Idempotent per user:
 * running it again for the same user and amount writes nothing. `amount` 0 grants nothing.
 */
export async function grantStartingCredits(
  db: DbOrTx,
  params: { userId: string; amount: number },
): Promise<GrantResult | null> {
  if (params.amount === 0) return null;
  return grantCredits(db, {
    userId: params.userId,
    amount: params.amount,
    reason: STARTING_CREDITS_REASON,
    subject: { type: "signup", id: params.userId },
    key: startingGrantKey(params.userId),
  });
}
