import type { DatasetImage } from "@spellcast/core/datasets/schema";
import { formatBytes } from "@spellcast/core/datasets/schema";

export function datasetImageUrl(image: Pick<DatasetImage, "datasetId" | "id">, variant: "original" | "thumb"): string {
  return `/api/datasets/${image.datasetId}/images/${image.id}/${variant}`;
}

/** Thumbnails in the dataset's stable order; each opens its original, and with `onRemove` can be removed. */
export function DatasetImageGrid({ images, onRemove }: { images: readonly DatasetImage[]; onRemove?: (image: DatasetImage) => void }) {
  return (
    <ul className="image-grid" aria-label="Images">
      {images.map((image) => (
        <li key={image.id} className="image-grid__item" data-testid="dataset-image" data-file-name={image.fileName}>
          <a href={datasetImageUrl(image, "original")} target="_blank" rel="noreferrer" className="image-grid__link">
            <img src={datasetImageUrl(image, "thumb")} alt={image.fileName} loading="lazy" className="image-grid__thumb" />
          </a>
          <span className="image-grid__name" title={image.fileName}>
            {image.fileName}
          </span>
          <span className="image-grid__meta">
            {image.width} × {image.height} · {formatBytes(image.bytes)}
            {onRemove && (
              <>
                {" · "}
                <button type="button" className="link-button" aria-label={`Remove ${image.fileName}`} onClick={() => onRemove(image)}>
                  Remove
                </button>
              </>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
