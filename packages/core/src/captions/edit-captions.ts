import { and, asc, desc, eq, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { captionSets, captionVersions, captions } from "@spellcast/db";

import { DomainError } from "../errors";
import { parseDomainInput } from "../parse-input";
import { assertUuid } from "../spells/manage-spells";
import type { CaptionSnapshot } from "./schema";
import type { CaptionRow, CaptionSetRow } from "./snapshot";
import { emitCaptionEvent, toCaptionSnapshot } from "./snapshot";
import { ownSet } from "./run-captions";
import { z } from "zod";

export const captionTextSchema = z.string().trim().min(1, "A caption cannot be empty").max(10_000);

export interface CaptionVersion {
  version: number;
  text: string;
  editedBy: string | null;
  createdAt: string;
}

/** Locks the caller's caption (and reads its set); anyone else's is NOT_FOUND. */
async function lockOwnCaption(tx: DbOrTx, userId: string, captionId: string): Promise<{ caption: CaptionRow; set: CaptionSetRow }> {
  assertUuid(captionId, "Caption");
  const [row] = await tx
    .select({ caption: captions, set: captionSets })
    .from(captions)
    .innerJoin(captionSets, eq(captionSets.id, captions.captionSetId))
    .where(and(eq(captions.id, captionId), eq(captionSets.userId, userId)))
    .for("update", { of: captions });
  if (!row) throw new DomainError("NOT_FOUND", "Caption not found");
  if (row.caption.status !== "done") throw new DomainError("INVALID_STATE", "Only finished captions can be edited");
  return row;
}

/** Writes `text` as the caption's next version (every edit kept). Unchanged text writes nothing. */
async function writeVersion(tx: DbOrTx, userId: string, caption: CaptionRow, text: string): Promise<CaptionRow> {
  if (caption.text === text) return caption;
  const [last] = await tx
    .select({ version: captionVersions.version })
    .from(captionVersions)
    .where(eq(captionVersions.captionId, caption.id))
    .orderBy(desc(captionVersions.version))
    .limit(1);
  await tx.insert(captionVersions).values({ captionId: caption.id, version: (last?.version ?? 0) + 1, text, editedBy: userId });
  const [row] = await tx.update(captions).set({ text, updatedAt: sql`clock_timestamp()` }).where(eq(captions.id, caption.id)).returning();
  if (!row) throw new DomainError("NOT_FOUND", "Caption not found");
  return row;
}

export async function editCaption(db: Database, params: { userId: string; captionId: string; text: string }): Promise<CaptionSnapshot> {
  const text = parseDomainInput(captionTextSchema, params.text);
  return db.transaction(async (tx) => {
    const { caption, set } = await lockOwnCaption(tx, params.userId, params.captionId);
    const row = await writeVersion(tx, params.userId, caption, text);
    if (row !== caption) await emitCaptionEvent(tx, params.userId, row, set);
    return toCaptionSnapshot(row);
  });
}

export async function listCaptionVersions(db: DbOrTx, params: { userId: string; captionId: string }): Promise<CaptionVersion[]> {
  assertUuid(params.captionId, "Caption");
  const rows = await db
    .select({ version: captionVersions.version, text: captionVersions.text, editedBy: captionVersions.editedBy, createdAt: captionVersions.createdAt })
    .from(captionVersions)
    .innerJoin(captions, eq(captions.id, captionVersions.captionId))
    .innerJoin(captionSets, eq(captionSets.id, captions.captionSetId))
    .where(and(eq(captionVersions.captionId, params.captionId), eq(captionSets.userId, params.userId)))
    .orderBy(asc(captionVersions.version));
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

/** Reverting writes the old text as a new version, so the history only ever grows. */
export async function revertCaption(db: Database, params: { userId: string; captionId: string; version: number }): Promise<CaptionSnapshot> {
  const versions = await listCaptionVersions(db, params);
  const target = versions.find((v) => v.version === params.version);
  if (!target) throw new DomainError("NOT_FOUND", "Version not found");
  return editCaption(db, { userId: params.userId, captionId: params.captionId, text: target.text });
}

/**
 * Applies `change` to every finished caption of the set (one transaction); captions it leaves
 * unchanged get no version. Returns how many changed.
 */
async function rewriteAll(db: Database, params: { userId: string; setId: string }, change: (text: string) => string): Promise<{ changed: number }> {
  const owned = await ownSet(db, params);
  return db.transaction(async (tx) => {
    const rows = await tx.select().from(captions).where(and(eq(captions.captionSetId, owned.id), eq(captions.status, "done"))).for("update");
    let changed = 0;
    for (const row of rows) {
      const next = change(row.text ?? "").trim();
      if (next === "" || next === row.text) continue;
      await writeVersion(tx, params.userId, row, next);
      changed += 1;
    }
    return { changed };
  });
}

export function bulkReplaceCaptions(db: Database, params: { userId: string; setId: string; find: string; replace: string }) {
  const find = parseDomainInput(z.string().min(1, "Find what?").max(1000), params.find);
  const replace = parseDomainInput(z.string().max(1000), params.replace);
  return rewriteAll(db, params, (text) => text.split(find).join(replace));
}

/** Prefixes a trigger word (`word, caption`) to captions that don't start with it yet. */
export function prefixTriggerWord(db: Database, params: { userId: string; setId: string; word: string }) {
  const word = parseDomainInput(z.string().trim().min(1, "Give a trigger word").max(100), params.word);
  return rewriteAll(db, params, (text) => (text.startsWith(word) ? text : `${word}, ${text}`));
}
