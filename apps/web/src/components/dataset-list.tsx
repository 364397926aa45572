import Link from "next/link";

import type { DatasetSummary } from "@spellcast/core/datasets/schema";

import { DateTime } from "./date-time";
import { FolderIcon } from "./icons";
import { formatCount } from "./format-count";

export function DatasetList({ datasets }: { datasets: readonly DatasetSummary[] }) {
  if (datasets.length === 0) {
    return (
      <div className="empty-state">
        <p className="empty-state__title">No datasets yet</p>
        <p>Create one above, then add images to it.</p>
      </div>
    );
  }
  return (
    <ul className="dataset-list">
      {datasets.map((dataset) => (
        <li key={dataset.id} data-testid="dataset-row">
          <Link href={`/datasets/${dataset.id}`} className="dataset-list__link">
            <FolderIcon className="dataset-list__icon" />
            <span className="dataset-list__name">{dataset.name}</span>
            <span className="dataset-list__meta">
              {formatCount(dataset.imageCount, "image")} · updated{" "}
              <DateTime value={dataset.updatedAt} />
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
