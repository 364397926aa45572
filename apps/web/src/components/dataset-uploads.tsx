"use client";

import { memo } from "react";

import { ImageUploadZone } from "./image-upload-zone";
import { UploadProgressList } from "./upload-progress-list";
import { UploadRejections } from "./upload-rejections";
import { useImageUploads } from "./use-image-uploads";

/**
 * The dataset page's upload card. It holds the uploads' state itself, so a frame of progress
 * renders this card, not the page's grid of images with it.
 */
export const DatasetUploads = memo(function DatasetUploads({
  datasetId,
  maxUploadBytes,
  maxImages,
  onUploaded,
}: {
  datasetId: string;
  maxUploadBytes: number;
  maxImages: number;
  onUploaded: () => void;
}) {
  const uploads = useImageUploads({ datasetId, maxUploadBytes, onUploaded });
  return (
    <section className="card" aria-labelledby="upload-title">
      <h2 className="card__title" id="upload-title">
        Upload images
      </h2>
      <ImageUploadZone onFiles={uploads.addFiles} maxUploadBytes={maxUploadBytes} maxImages={maxImages} />
      <UploadProgressList items={uploads.items} />
      <UploadRejections items={uploads.items} onClear={uploads.clearFinished} />
    </section>
  );
});
