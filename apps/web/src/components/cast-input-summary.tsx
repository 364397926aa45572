import Link from "next/link";
import { z } from "zod";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { datasetImageUrl } from "./dataset-image-grid";
import type { CastImageNames } from "./use-cast-image";

/** A first step's params keep the input it was given (core's `stepParams`). */
const textInputParamsSchema = z.object({ input: z.object({ kind: z.literal("text"), text: z.string() }) });

/** What the cast was given: the dataset image (thumbnail, its file name, link to its dataset) or the text. */
export function CastInputSummary({
  cast,
  firstStep,
  names,
}: {
  cast: CastSnapshot;
  firstStep: SessionSnapshot | undefined;
  names: CastImageNames | undefined;
}) {
  if (cast.datasetId && cast.imageId) {
    const image = { datasetId: cast.datasetId, id: cast.imageId };
    return (
      <span className="cast-input__image">
        <a href={datasetImageUrl(image, "original")} target="_blank" rel="noreferrer" data-testid="cast-input-image">
          <img src={datasetImageUrl(image, "thumb")} alt="The image this cast read (opens the original)" className="caption-row__thumb" />
        </a>
        <span data-testid="cast-input-image-name">
          {names?.fileName ?? (names ? "An image since removed" : "An image")} in{" "}
          <Link href={`/datasets/${cast.datasetId}`}>{names?.datasetName ?? "its dataset"}</Link>
        </span>
      </span>
    );
  }
  const parsed = textInputParamsSchema.safeParse(firstStep?.params);
  if (!parsed.success) return <span className="muted">Text</span>;
  return (
    <span className="cast-input__text" data-testid="cast-input-text">
      {parsed.data.input.text}
    </span>
  );
}
