import type { CastSnapshot, SpellStep } from "@spellcast/core/spells/schema";

import { CastStepItem } from "./cast-step-item";
import { castStepRows } from "./cast-steps";
import type { CastStepSessions } from "./use-cast-step-sessions";

/** The cast's steps in order, each live; later steps from the spell's plan when it is known. */
export function CastStepList({ cast, steps, planned }: { cast: CastSnapshot; steps: CastStepSessions; planned: readonly SpellStep[] | null }) {
  const rows = castStepRows(cast, steps.sessionOf, planned);
  return (
    <section className="card" aria-labelledby="cast-steps-title">
      <h2 className="card__title" id="cast-steps-title">
        Steps
      </h2>
      <ol className="cast-steps" data-testid="cast-steps">
        {rows.map((row) => (
          <CastStepItem key={row.index} row={row} cast={cast} progress={row.session ? steps.progressOf(row.session.id) : undefined} />
        ))}
      </ol>
      {!planned && cast.status !== "completed" && <p className="muted">Later steps appear here as they start.</p>}
    </section>
  );
}
