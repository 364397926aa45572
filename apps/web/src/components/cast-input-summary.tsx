import Link from "next/link";
import { z } from "zod";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { datasetImageUrl } from "./dataset-image-grid";

/** A first step's params keep the input it was given (core's `stepParams`). */
const textInputParamsSchema = z.object({ input: z.object({ kind: z.literal("text"), text: z.string() }) });

/** What the cast was given: the dataset image (thumbnail, link to its dataset) or the text. */
export function CastInputSummary({ cast, firstStep }: { cast: CastSnapshot; firstStep: SessionSnapshot | undefined }) {
  if (cast.datasetId && cast.imageId) {
    const image = { datasetId: cast.datasetId, id: cast.imageId };
    return (
      <span className="cast-input__image">
        <a href={datasetImageUrl(image, "original")} target="_blank" rel="noreferrer" data-testid="cast-input-image">
          <img src={datasetImageUrl(image, "thumb")} alt="The image this cast read (opens the original)" className="caption-row__thumb" />
        </a>
        <Link href={`/datasets/${cast.datasetId}`}>Its dataset</Link>
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
