import { and, asc, desc, eq, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { captionSets, captionVersions, captions } from "@spellcast/db";

import { DomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { parseDomainInput } from "../parse-input";
import { assertUuid } from "../spells/manage-spells";
import { rewriteCaption } from "./caption-rewrite";
import type { BulkCaptionEdit, BulkCaptionEditPreview, CaptionSnapshot } from "./schema";
import { bulkCaptionEditSchema } from "./schema";
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
 * The set's finished captions in image order, and those `edit` changes, each with its new text.
 * `lock` takes the rows for update (the edit); the preview reads them as they are.
 */
async function planBulkEdit(db: DbOrTx, setId: string, edit: BulkCaptionEdit, { lock }: { lock: boolean }) {
  const query = db
    .select()
    .from(captions)
    .where(and(eq(captions.captionSetId, setId), eq(captions.status, "done")))
    .orderBy(asc(captions.imageIndex));
  const rows = lock ? await query.for("update") : await query;
  const changes = rows.flatMap((row) => {
    const next = rewriteCaption(edit, row.text ?? "");
    return next === null ? [] : [{ row, next }];
  });
  return { finished: rows.length, changes };
}

/** Applies `edit` to every finished caption of the set in one transaction; each change is a new version. */
export async function applyBulkCaptionEdit(db: Database, params: { userId: string; setId: string; edit: BulkCaptionEdit }): Promise<{ changed: number }> {
  const edit = parseDomainInput(bulkCaptionEditSchema, params.edit);
  const owned = await ownSet(db, params);
  return db.transaction((tx) =>
    // Each changed caption's event, so every open page shows the edit; one insert for all of them.
    withEventsLast(tx, async () => {
      const { changes } = await planBulkEdit(tx, owned.id, edit, { lock: true });
      // The set as of now (a run may still be landing captions): the counters its events carry.
      const [set] = await tx.select().from(captionSets).where(eq(captionSets.id, owned.id));
      for (const { row, next } of changes) {
        const written = await writeVersion(tx, params.userId, row, next);
        await emitCaptionEvent(tx, params.userId, written, set ?? owned);
      }
      return { changed: changes.length };
    }),
  );
}

/** What `applyBulkCaptionEdit` would change now, writing nothing: the count and the first `examples`. */
export async function previewBulkCaptionEdit(
  db: Database,
  params: { userId: string; setId: string; edit: BulkCaptionEdit; examples?: number },
): Promise<BulkCaptionEditPreview> {
  const edit = parseDomainInput(bulkCaptionEditSchema, params.edit);
  const owned = await ownSet(db, params);
  const { finished, changes } = await planBulkEdit(db, owned.id, edit, { lock: false });
  return {
    finished,
    changed: changes.length,
    examples: changes.slice(0, params.examples ?? 2).map(({ row, next }) => ({ captionId: row.id, fileName: row.fileName, before: row.text ?? "", after: next })),
  };
}
