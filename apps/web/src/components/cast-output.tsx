import type { CastSnapshot } from "@spellcast/core/spells/schema";

/** A completed cast's final output: its last step's text, or its image (served to its owner only). */
export function CastOutput({ cast }: { cast: CastSnapshot }) {
  const lastStepId = cast.stepGenerationIds.at(-1);
  if (cast.output?.kind === "image" && lastStepId) {
    return <img className="cast-output__image" src={`/api/images/${lastStepId}`} alt="The cast's final image" data-testid="cast-output-image" />;
  }
  return (
    <p className="cast-output__text" data-testid="cast-output">
      {cast.output?.kind === "text" ? cast.output.text : ""}
    </p>
  );
}
