"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId } from "react";

import { useTRPC } from "~/trpc/react";

import { datasetImageUrl } from "./dataset-image-grid";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { LoadMoreButton } from "./load-more-button";
import { formatCount } from "./format-count";

const PAGE_SIZE = 48;

/** The dataset shown, and the image chosen in it (none yet: null). */
export interface PickedImage {
  datasetId: string;
  imageId: string | null;
}

/** One of the caller's datasets, then one of its images (thumbnails as radio choices). */
export function CastImagePicker({ value, onChange }: { value: PickedImage | null; onChange: (value: PickedImage) => void }) {
  const trpc = useTRPC();
  const selectId = useId();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const withImages = (datasets.data ?? []).filter((d) => d.imageCount > 0);
  const datasetId = value?.datasetId ?? withImages[0]?.id ?? null;
  const images = useInfiniteQuery({
    ...trpc.datasets.get.infiniteQueryOptions({ id: datasetId ?? "", limit: PAGE_SIZE }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
    enabled: datasetId !== null,
  });

  if (datasets.isPending) return <p className="muted">Loading your datasets…</p>;
  if (datasets.isError) return <FormAlert message={toUserMessage(datasets.error)} />;
  if (withImages.length === 0) {
    return (
      <p className="field__hint" data-testid="cast-no-images">
        This spell reads an image from one of your datasets, and none has images yet. <Link href="/datasets">Upload some</Link>
      </p>
    );
  }
  const list = (images.data?.pages ?? []).flatMap((page) => page.images);
  return (
    <div className="stack">
      <div className="field">
        <label className="field__label" htmlFor={selectId}>
          Dataset
        </label>
        <select
          id={selectId}
          className="input"
          value={datasetId ?? ""}
          onChange={(e) => onChange({ datasetId: e.target.value, imageId: null })}
        >
          {withImages.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({formatCount(d.imageCount, "image")})
            </option>
          ))}
        </select>
      </div>
      {images.isError && <FormAlert message={toUserMessage(images.error)} />}
      <fieldset className="image-pick">
        <legend className="field__label">Image</legend>
        {images.isPending && <p className="muted">Loading images…</p>}
        <ul className="image-grid">
          {list.map((image) => (
            <li key={image.id} className="image-grid__item">
              <label className="image-pick__choice" data-testid="cast-image-choice">
                <input
                  type="radio"
                  name="cast-image"
                  className="visually-hidden"
                  checked={value?.imageId === image.id}
                  onChange={() => onChange({ datasetId: image.datasetId, imageId: image.id })}
                />
                <span className="image-grid__link">
                  <img src={datasetImageUrl(image, "thumb")} alt={image.fileName} loading="lazy" className="image-grid__thumb" />
                </span>
                <span className="image-grid__name" title={image.fileName}>
                  {image.fileName}
                </span>
              </label>
            </li>
          ))}
        </ul>
        <LoadMoreButton pages={images} label="Show more images" />
      </fieldset>
    </div>
  );
}
