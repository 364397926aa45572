import { and, eq } from "drizzle-orm";
import { z } from "zod";

import type { DbOrTx } from "@spellcast/db";
import { captions, casts, datasets, generationSessions, spells } from "@spellcast/db";

import { anyOf } from "../lib/any-of";

/**
 * What a generation session's credits paid for, as the credits page names it: a plain generation,
 * a step of a single cast, or a step of a caption run (its dataset and image). A run of 1,000
 * images writes 4,000 ledger entries; without this each read "Generation <id>".
 */
export const ledgerSubjectSchema = z.discriminatedUnion("kind", [
  /** A generation of its own: its prompt names it (null for a cast step whose cast is gone). */
  z.object({ kind: z.literal("generation"), sessionId: z.string(), prompt: z.string().nullable() }),
  z.object({ kind: z.literal("cast_step"), castId: z.string(), step: z.number().int(), tool: z.string(), spellName: z.string().nullable() }),
  z.object({
    kind: z.literal("caption_step"),
    captionSetId: z.string(),
    datasetId: z.string(),
    datasetName: z.string(),
    fileName: z.string().nullable(),
    step: z.number().int(),
    tool: z.string(),
  }),
]);
export type LedgerSubject = z.infer<typeof ledgerSubjectSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The subjects of the user's `session` entries (one query for a page); other subjects are absent. */
export async function describeLedgerSubjects(
  db: DbOrTx,
  params: { userId: string; entries: ReadonlyArray<{ subjectType: string; subjectId: string }> },
): Promise<Map<string, LedgerSubject>> {
  // Session ids are uuids; a subject id that is not one names no session (and would not cast).
  const ids = params.entries.flatMap((e) => (e.subjectType === "session" && UUID.test(e.subjectId) ? [e.subjectId] : []));
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: generationSessions.id,
      tool: generationSessions.tool,
      params: generationSessions.params,
      step: generationSessions.stepIndex,
      castId: casts.id,
      captionSetId: casts.captionSetId,
      datasetId: datasets.id,
      datasetName: datasets.name,
      // From the run's caption row, which keeps the name after the image is removed from the dataset.
      fileName: captions.fileName,
      spellName: spells.name,
    })
    .from(generationSessions)
    .leftJoin(casts, eq(casts.id, generationSessions.castId))
    .leftJoin(spells, eq(spells.id, casts.spellId))
    .leftJoin(datasets, eq(datasets.id, casts.datasetId))
    .leftJoin(captions, and(eq(captions.captionSetId, casts.captionSetId), eq(captions.imageIndex, casts.imageIndex)))
    .where(and(anyOf(generationSessions.id, ids), eq(generationSessions.userId, params.userId)));
  return new Map(rows.map((r) => [r.id, subjectOf(r)]));
}

function subjectOf(r: {
  id: string;
  params: Record<string, unknown>;
  tool: string;
  step: number | null;
  castId: string | null;
  captionSetId: string | null;
  datasetId: string | null;
  datasetName: string | null;
  fileName: string | null;
  spellName: string | null;
}): LedgerSubject {
  // A step whose cast is gone (its dataset deleted) reads as the generation it was.
  if (!r.castId || r.step === null) {
    const prompt = r.step === null && typeof r.params.prompt === "string" ? r.params.prompt : null;
    return { kind: "generation", sessionId: r.id, prompt };
  }
  if (r.captionSetId && r.datasetId && r.datasetName !== null) {
    return { kind: "caption_step", captionSetId: r.captionSetId, datasetId: r.datasetId, datasetName: r.datasetName, fileName: r.fileName, step: r.step, tool: r.tool };
  }
  return { kind: "cast_step", castId: r.castId, step: r.step, tool: r.tool, spellName: r.spellName };
}
