"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";

import type { DatasetImage } from "@spellcast/core/datasets/schema";

import { useTRPC } from "~/trpc/react";

import { CaptionRunForm } from "./caption-run-form";
import { ConfirmDialog } from "./confirm-dialog";
import { DatasetImageGrid } from "./dataset-image-grid";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { DatasetUploads } from "./dataset-uploads";
import { PageHeader } from "./page-header";
import { LoadMoreButton } from "./load-more-button";
import { formatCount } from "./format-count";

const PAGE_SIZE = 200;

export function DatasetView({ datasetId, maxUploadBytes, maxImages }: { datasetId: string; maxUploadBytes: number; maxImages: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [removing, setRemoving] = useState<DatasetImage | null>(null);

  const pages = useInfiniteQuery(
    trpc.datasets.get.infiniteQueryOptions(
      { id: datasetId, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, retry: false },
    ),
  );

  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.datasets.get.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
  }, [queryClient, trpc]);

  const remove = useMutation(
    trpc.datasets.delete.mutationOptions({
      onSuccess: async () => {
        setConfirmDelete(false);
        await queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
        router.push("/datasets");
      },
    }),
  );

  const removeImage = useMutation(
    trpc.datasets.removeImages.mutationOptions({
      onSuccess: () => {
        setRemoving(null);
        refresh();
      },
    }),
  );
  const askToRemove = (image: DatasetImage) => {
    removeImage.reset();
    setRemoving(image);
  };

  if (!pages.data && !pages.isError) {
    return (
      <div aria-busy="true">
        <p className="visually-hidden" role="status">
          Loading the dataset…
        </p>
        <div className="skeleton-line" style={{ width: "40%", height: "2rem" }} />
        <div className="skeleton-line" />
      </div>
    );
  }
  if (!pages.data) {
    return (
      <section className="card empty-state">
        <p className="empty-state__title">This dataset could not be opened</p>
        <p>{toUserMessage(pages.error)}</p>
        <Link href="/datasets" className="button">
          Back to datasets
        </Link>
      </section>
    );
  }

  const [first] = pages.data.pages;
  const dataset = first?.dataset;
  const images = pages.data.pages.flatMap((page) => page.images);
  if (!dataset) return null;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/datasets">Datasets</Link> /
      </p>
      <PageHeader
        title={dataset.name}
        lead={
          <span data-testid="dataset-image-count">
            {formatCount(dataset.imageCount, "image")}
          </span>
        }
      />
      <div className="stack">
        <DatasetUploads datasetId={datasetId} maxUploadBytes={maxUploadBytes} maxImages={maxImages} onUploaded={refresh} />

        <CaptionRunForm datasetId={datasetId} imageCount={dataset.imageCount} />

        <section className="card" aria-labelledby="images-title">
          <div className="card__header">
            <h2 className="card__title" id="images-title">
              Images
            </h2>
            <button type="button" className="button button--danger-outline button--small" onClick={() => setConfirmDelete(true)}>
              Delete dataset
            </button>
          </div>
          {images.length === 0 ? (
            <div className="empty-state">
              <p className="empty-state__title">No images yet</p>
              <p>Add PNG, JPEG or WebP images above; each gets a thumbnail here.</p>
            </div>
          ) : (
            <DatasetImageGrid images={images} onRemove={askToRemove} />
          )}
          <LoadMoreButton pages={pages} label="Show more images" />
          {pages.error && <FormAlert message={`Could not refresh the images: ${toUserMessage(pages.error)}`} />}
        </section>
      </div>

      <ConfirmDialog
        open={confirmDelete}
        title={`Delete “${dataset.name}”?`}
        confirmLabel="Yes, delete dataset"
        dismissLabel="Keep it"
        pending={remove.isPending}
        error={remove.error ? toUserMessage(remove.error) : null}
        onConfirm={() => remove.mutate({ id: datasetId })}
        onCancel={() => setConfirmDelete(false)}
      >
        <p>
          Its {formatCount(dataset.imageCount, "image")} and their thumbnails are removed, with its caption runs and their captions. A run still
          going is canceled first, and the credits held for it come back. This cannot be undone.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove “${removing?.fileName ?? ""}”?`}
        confirmLabel="Yes, remove image"
        dismissLabel="Keep it"
        pending={removeImage.isPending}
        error={removeImage.error ? toUserMessage(removeImage.error) : null}
        onConfirm={() => removing && removeImage.mutate({ datasetId, imageIds: [removing.id] })}
        onCancel={() => setRemoving(null)}
      >
        <p>
          The image and its thumbnail are deleted, and later caption runs leave it out. Finished runs keep their caption of it. This cannot be
          undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
