import type { BulkCaptionEdit } from "@spellcast/core/captions/schema";

import { formatCount } from "./format-count";

/** How the caption page words a bulk edit: the confirmation's title and button, and why nothing changed. */
export function bulkEditWording(edit: BulkCaptionEdit) {
  if (edit.kind === "replace") {
    return {
      title: (changed: number) => `Replace “${edit.find}” in ${formatCount(changed, "caption")}?`,
      confirm: (changed: number) => `Replace in ${formatCount(changed, "caption")}`,
      unchanged: `No caption contains “${edit.find}”`,
    };
  }
  // The server trims the word too: what is shown is what gets written.
  const word = edit.word.trim();
  return {
    title: (changed: number) => `Prefix ${formatCount(changed, "caption")} with “${word}”?`,
    confirm: (changed: number) => `Prefix ${formatCount(changed, "caption")}`,
    unchanged: `Every caption already starts with “${word}”`,
  };
}
