import Link from "next/link";

import { stripRequestIds } from "@spellcast/core/sessions/error-details";
import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { CastStatusBadge } from "./cast-status-badge";
import { datasetImageUrl } from "./dataset-image-grid";
import { DateTime } from "./date-time";

/** What a finished cast came to, in a line: its text, an image, or why it stopped. */
function outcomeOf(cast: CastSnapshot): string | null {
  if (cast.status === "completed") return cast.output?.kind === "text" ? cast.output.text : "An image";
  if (cast.status === "failed") {
    const step = cast.errorDetails?.failedStep;
    const message = cast.errorDetails ? stripRequestIds(cast.errorDetails.providerMessage) : "The cast failed.";
    return step === undefined ? message : `Step ${step + 1} failed: ${message}`;
  }
  if (cast.status === "canceled") return "Canceled";
  return null;
}

/** One cast in a list: a link to its page with its spell, input kind, status and outcome. */
export function CastListItem({ cast, spellName }: { cast: CastSnapshot; spellName: string }) {
  const outcome = outcomeOf(cast);
  return (
    <li data-testid="cast-row" data-cast-id={cast.id} data-status={cast.status}>
      <Link href={`/casts/${cast.id}`} className="cast-list__link">
        {cast.datasetId && cast.imageId ? (
          <img src={datasetImageUrl({ datasetId: cast.datasetId, id: cast.imageId }, "thumb")} alt="" className="cast-list__thumb" loading="lazy" />
        ) : (
          <span className="cast-list__thumb cast-list__thumb--text" aria-hidden="true">
            Aa
          </span>
        )}
        <span className="cast-list__body">
          <span className="cast-list__name">{spellName}</span>
          <span className="cast-list__meta">
            <CastStatusBadge status={cast.status} testId="cast-row-status" /> <DateTime value={new Date(cast.createdAt)} />
          </span>
          {outcome && (
            <span className="cast-list__outcome" title={outcome}>
              {outcome}
            </span>
          )}
        </span>
      </Link>
    </li>
  );
}
