import type { DbOrTx } from "@spellcast/db";

import { DomainError } from "../errors";
import type { UserRef } from "../users/find-user";
import { findUserByEmail, findUserById } from "../users/find-user";
import { grantCredits } from "./grant-credits";
import type { GrantResult } from "./types";

export interface AdminGrantInput {
  /** Who receives the credits: by email or by user id. */
  recipient: { email: string } | { userId: string };
  amount: number;
  reason: string;
  /** The admin's request id; the same key, admin and arguments again is a no-op replay. */
  idempotencyKey: string;
  /** The admin granting, recorded on the entry. */
  actorId: string;
}

/**
 * An admin's grant to any user, recorded with the admin's id. The ledger key is namespaced by
 * the admin, so two admins' request ids never collide. Unknown recipient → NOT_FOUND.
 */
export async function grantCreditsAsAdmin(
  db: DbOrTx,
  params: AdminGrantInput,
): Promise<GrantResult & { recipient: UserRef }> {
  const { recipient: who } = params;
  const recipient = "email" in who ? await findUserByEmail(db, who.email) : await findUserById(db, who.userId);
  if (!recipient) throw new DomainError("NOT_FOUND", "No user with that email or id");
  const result = await grantCredits(db, {
    userId: recipient.id,
    amount: params.amount,
    reason: params.reason,
    subject: { type: "admin_grant", id: params.idempotencyKey },
    actorId: params.actorId,
    key: `admin_grant:${params.actorId}:${params.idempotencyKey}`,
  });
  return { ...result, recipient };
}
