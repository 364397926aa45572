import type { BulkCaptionEdit } from "./schema";

/**
 * A caption's text after `edit`, or null when the edit leaves it as it is. A result that is empty
 * once trimmed counts as no change: a bulk edit never blanks a caption. The preview and the edit
 * both decide through this one function, so the count a person confirms is the count applied.
 */
export function rewriteCaption(edit: BulkCaptionEdit, text: string): string | null {
  const next = (edit.kind === "replace" ? text.split(edit.find).join(edit.replace) : text.startsWith(edit.word) ? text : `${edit.word}, ${text}`).trim();
  return next === "" || next === text ? null : next;
}
