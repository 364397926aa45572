import { and, eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts } from "@spellcast/db";

import { DomainError } from "../errors";
import { assertUuid } from "../spells/manage-spells";
import type { CastSnapshot } from "../spells/schema";
import { toCastSnapshot } from "./snapshot";

export async function getCast(db: DbOrTx, params: { userId: string; castId: string }): Promise<CastSnapshot> {
  assertUuid(params.castId, "Cast");
  const [row] = await db.select().from(casts).where(and(eq(casts.id, params.castId), eq(casts.userId, params.userId)));
  if (!row) throw new DomainError("NOT_FOUND", "Cast not found");
  return toCastSnapshot(row);
}
