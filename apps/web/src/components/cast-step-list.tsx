import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { CastStepItem } from "./cast-step-item";
import { castStepRows } from "./cast-steps";
import type { CastStepSessions } from "./use-cast-step-sessions";

/** Every step of the cast in order, each live; those without a session yet are "not started". */
export function CastStepList({ cast, steps }: { cast: CastSnapshot; steps: CastStepSessions }) {
  const rows = castStepRows(cast, steps.sessionOf);
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
    </section>
  );
}
