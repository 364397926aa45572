"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";

import type { DatasetImage } from "@spellcast/core/datasets/schema";

import { useTRPC } from "~/trpc/react";

import { ConfirmDialog } from "./confirm-dialog";
import { toUserMessage } from "./error-message";
import { formatCount } from "./format-count";

/** Names listed in the question; the rest are counted. */
const NAMES_SHOWN = 5;

/** Asks before removing the chosen images from the dataset, then removes them all (or none, with the reason). */
export function RemoveImagesDialog({
  datasetId,
  images,
  open,
  onRemoved,
  onCancel,
}: {
  datasetId: string;
  images: readonly DatasetImage[];
  open: boolean;
  onRemoved: () => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const remove = useMutation(trpc.datasets.removeImages.mutationOptions({ onSuccess: onRemoved }));
  const { reset } = remove;
  // A refusal belongs to the question it answered: asking again starts clean.
  useEffect(() => {
    if (open) reset();
  }, [open, reset]);
  const [only] = images;
  const title = images.length === 1 && only ? `Remove “${only.fileName}”?` : `Remove ${formatCount(images.length, "image")}?`;
  const names = images.slice(0, NAMES_SHOWN).map((i) => i.fileName);
  const more = images.length - names.length;
  return (
    <ConfirmDialog
      open={open && images.length > 0}
      title={title}
      confirmLabel={images.length === 1 ? "Yes, remove image" : "Yes, remove images"}
      dismissLabel={images.length === 1 ? "Keep it" : "Keep them"}
      pending={remove.isPending}
      error={remove.error ? toUserMessage(remove.error) : null}
      onConfirm={() => remove.mutate({ datasetId, imageIds: images.map((i) => i.id) })}
      onCancel={onCancel}
    >
      {images.length > 1 && (
        <p data-testid="remove-images-names">
          {names.join(", ")}
          {more > 0 ? ` and ${more.toLocaleString("en")} more` : ""}
        </p>
      )}
      <p>
        {images.length === 1
          ? "Its file and thumbnail are deleted, and later caption runs leave it out. Finished runs keep their caption of it."
          : "Their files and thumbnails are deleted, and later caption runs leave them out. Finished runs keep their captions of them."}{" "}
        This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
