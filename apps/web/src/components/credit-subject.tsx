import Link from "next/link";

import type { LedgerSubject } from "@spellcast/core/credits/ledger-subjects";

import { toolLabel } from "./tool-label";

const SUBJECT_LABELS: Record<string, string> = {
  signup: "Sign-up",
  admin_grant: "Admin grant",
  credit_request: "Credit request",
  session: "Generation",
  cast: "Spell cast",
  seed: "Demo seed",
  adjustment: "Adjustment",
};

/**
 * What credits moved for. A generation session names what it was part of — a caption run's image
 * and step (linking to the run), or a cast's step (linking to the cast); a generation of its own
 * names its prompt and opens its details; anything else shows its kind and id (shortened; the full
 * id on hover).
 */
export function CreditSubject({ type, id, subject }: { type: string; id: string; subject?: LedgerSubject | null }) {
  if (subject?.kind === "caption_step") {
    return (
      <span className="credit-subject" data-testid="credit-subject">
        <Link href={`/datasets/${subject.datasetId}/captions?set=${subject.captionSetId}`}>Captions of {subject.datasetName}</Link>
        {subject.fileName ? ` · ${subject.fileName}` : ""} · step {subject.step + 1} ({toolLabel(subject.tool)})
      </span>
    );
  }
  if (subject?.kind === "cast_step") {
    return (
      <span className="credit-subject" data-testid="credit-subject">
        <Link href={`/casts/${subject.castId}`}>{subject.spellName ? `Cast of ${subject.spellName}` : "Spell cast"}</Link> · step {subject.step + 1} ({toolLabel(subject.tool)})
      </span>
    );
  }
  if (subject?.kind === "generation" && subject.prompt !== null) {
    return (
      <span className="credit-subject" data-testid="credit-subject">
        <Link href={`/generate?session=${subject.sessionId}`} title={subject.prompt}>
          Generation: {shorten(subject.prompt, 60)}
        </Link>
      </span>
    );
  }
  const short = shorten(id, 14);
  return (
    <span className="credit-subject" data-testid="credit-subject">
      {SUBJECT_LABELS[type] ?? type}{" "}
      <code className="key-prefix" title={id}>
        {short}
      </code>
    </span>
  );
}

/** At most `max` characters, the cut marked with an ellipsis. */
function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 2)}…` : text;
}
