"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";

import { useTRPC } from "~/trpc/react";

import { Breadcrumbs } from "./breadcrumbs";
import { CaptionRunForm } from "./caption-run-form";
import { ConfirmDialog } from "./confirm-dialog";
import { DatasetImageGrid } from "./dataset-image-grid";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { DatasetUploads } from "./dataset-uploads";
import { PageHeader } from "./page-header";
import { RemoveImagesDialog } from "./remove-images-dialog";
import { useImageSelection } from "./use-image-selection";
import { LoadMoreButton } from "./load-more-button";
import { formatCount } from "./format-count";

const PAGE_SIZE = 200;

export function DatasetView({ datasetId, maxUploadBytes, maxImages }: { datasetId: string; maxUploadBytes: number; maxImages: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);

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

  const images = pages.data?.pages.flatMap((page) => page.images) ?? [];
  const { selected, chosen, toggle, clear } = useImageSelection(images);
  const onRemoved = useCallback(() => {
    setConfirmRemove(false);
    clear();
    refresh();
  }, [clear, refresh]);

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
  if (!dataset) return null;

  return (
    <>
      <Breadcrumbs items={[{ href: "/datasets", label: "Datasets" }]} />
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
            <div className="card__actions">
              {chosen.length > 0 && (
                <>
                  <button type="button" className="button button--ghost button--small" onClick={clear}>
                    Clear selection
                  </button>
                  <button type="button" className="button button--danger-outline button--small" onClick={() => setConfirmRemove(true)}>
                    Remove selected ({chosen.length.toLocaleString("en")})
                  </button>
                </>
              )}
              <button type="button" className="button button--danger-outline button--small" onClick={() => setConfirmDelete(true)}>
                Delete dataset
              </button>
            </div>
          </div>
          {images.length === 0 ? (
            <div className="empty-state">
              <p className="empty-state__title">No images yet</p>
              <p>Add PNG, JPEG or WebP images above; each gets a thumbnail here.</p>
            </div>
          ) : (
            <DatasetImageGrid images={images} selected={selected} onToggle={toggle} />
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
      <RemoveImagesDialog datasetId={datasetId} images={chosen} open={confirmRemove} onRemoved={onRemoved} onCancel={() => setConfirmRemove(false)} />
    </>
  );
}
