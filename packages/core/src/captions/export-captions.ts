import { and, asc, eq } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";

import type { DbOrTx } from "@spellcast/db";
import { captionSets, captions } from "@spellcast/db";

import { DomainError } from "../errors";
import { assertUuid } from "../spells/manage-spells";

export type ExportFormat = "zip" | "jsonl";

/** `cat.png` → `cat.txt`: training tools pair a sidecar with its image by base name. */
export function sidecarName(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return `${dot > 0 ? fileName.slice(0, dot) : fileName}.txt`;
}

/**
 * The caller's finished captions of one set as a zip of `.txt` sidecars or as JSONL
 * (`{ file_name, text }` per line). Anyone else's set is NOT_FOUND.
 */
export async function exportCaptionSet(
  db: DbOrTx,
  params: { userId: string; setId: string; format: ExportFormat },
): Promise<{ bytes: Uint8Array; contentType: string; fileName: string; count: number }> {
  assertUuid(params.setId, "Caption set");
  const [set] = await db.select({ id: captionSets.id }).from(captionSets).where(and(eq(captionSets.id, params.setId), eq(captionSets.userId, params.userId)));
  if (!set) throw new DomainError("NOT_FOUND", "Caption set not found");
  const rows = await db
    .select({ fileName: captions.fileName, text: captions.text })
    .from(captions)
    .where(and(eq(captions.captionSetId, set.id), eq(captions.status, "done")))
    .orderBy(asc(captions.imageIndex));
  const base = `captions-${set.id.slice(0, 8)}`;
  if (params.format === "jsonl") {
    const body = rows.map((r) => JSON.stringify({ file_name: r.fileName, text: r.text ?? "" })).join("\n");
    return { bytes: strToU8(rows.length > 0 ? `${body}\n` : ""), contentType: "application/jsonl; charset=utf-8", fileName: `${base}.jsonl`, count: rows.length };
  }
  const files: Record<string, Uint8Array> = {};
  for (const r of rows) {
    // cat.png and cat.jpg in one dataset: the second keeps its full name (cat.jpg.txt).
    const name = sidecarName(r.fileName) in files ? `${r.fileName}.txt` : sidecarName(r.fileName);
    files[name] = strToU8(r.text ?? "");
  }
  return { bytes: zipSync(files, { level: 6 }), contentType: "application/zip", fileName: `${base}.zip`, count: rows.length };
}
