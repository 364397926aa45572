"use client";

import type { DragEvent } from "react";
import { useId, useState } from "react";

import { formatBytes } from "@spellcast/core/datasets/schema";

import { UploadIcon } from "./icons";

const ACCEPT = "image/png,image/jpeg,image/webp,.png,.jpg,.jpeg,.webp";

/** Pick several images with the file dialog, or drop them (or a selection from a folder) on the zone. */
export function ImageUploadZone({
  onFiles,
  maxUploadBytes,
  maxImages,
}: {
  onFiles: (files: File[]) => void;
  maxUploadBytes: number;
  maxImages: number;
}) {
  const inputId = useId();
  const hintId = `${inputId}-hint`;
  const [dragging, setDragging] = useState(false);

  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setDragging(true);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) onFiles(files);
  };

  return (
    <div
      className={`upload-zone${dragging ? " upload-zone--active" : ""}`}
      data-testid="upload-zone"
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <UploadIcon className="upload-zone__icon" aria-hidden="true" />
      <input
        id={inputId}
        className="upload-zone__input visually-hidden"
        type="file"
        multiple
        accept={ACCEPT}
        aria-describedby={hintId}
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          // Reset, so choosing the same files again still fires a change.
          event.target.value = "";
          if (files.length > 0) onFiles(files);
        }}
      />
      <p className="upload-zone__text">
        <label htmlFor={inputId} className="button button--primary">
          Add images
        </label>
        <span>or drop them here</span>
      </p>
      <p className="field__hint" id={hintId}>
        PNG, JPEG or WebP (checked by content), up to {formatBytes(maxUploadBytes)} each; at most{" "}
        {maxImages.toLocaleString("en")} images per dataset.
      </p>
    </div>
  );
}
