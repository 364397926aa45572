import type { DatasetImage } from "@spellcast/core/datasets/schema";
import { formatBytes } from "@spellcast/core/datasets/schema";

export function datasetImageUrl(image: Pick<DatasetImage, "datasetId" | "id">, variant: "original" | "thumb"): string {
  return `/api/datasets/${image.datasetId}/images/${image.id}/${variant}`;
}

/**
 * Thumbnails in the dataset's stable order; each opens its original. With `onToggle`, each has a
 * checkbox choosing it (`selected` holds the chosen ids; `extend`: shift was held, for a range).
 */
export function DatasetImageGrid({
  images,
  selected,
  onToggle,
}: {
  images: readonly DatasetImage[];
  selected?: ReadonlySet<string>;
  onToggle?: (image: DatasetImage, extend: boolean) => void;
}) {
  return (
    <ul className="image-grid" aria-label="Images">
      {images.map((image) => (
        <li key={image.id} className="image-grid__item" data-testid="dataset-image" data-file-name={image.fileName}>
          <a href={datasetImageUrl(image, "original")} target="_blank" rel="noreferrer" className="image-grid__link">
            <img src={datasetImageUrl(image, "thumb")} alt={image.fileName} loading="lazy" className="image-grid__thumb" />
          </a>
          {onToggle && (
            <input
              type="checkbox"
              className="image-grid__select"
              aria-label={`Select ${image.fileName}`}
              checked={selected?.has(image.id) ?? false}
              // A checkbox's change comes from a click (the space key makes one too), which says whether shift was held.
              onChange={(event) => onToggle(image, "shiftKey" in event.nativeEvent && event.nativeEvent.shiftKey === true)}
            />
          )}
          <span className="image-grid__name" title={image.fileName}>
            {image.fileName}
          </span>
          <span className="image-grid__meta">
            {image.width} × {image.height} · {formatBytes(image.bytes)}
          </span>
        </li>
      ))}
    </ul>
  );
}
