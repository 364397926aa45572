"use client";

import Link from "next/link";

import type { CaptionSnapshot } from "@spellcast/core/captions/schema";

import { CaptionFailure } from "./caption-failure";
import { datasetImageUrl } from "./dataset-image-grid";
import { formatCredits } from "./format-credits";

const badge: Record<CaptionSnapshot["status"], string> = { pending: "badge--neutral", done: "badge--success", failed: "badge--danger" };
const label: Record<CaptionSnapshot["status"], string> = { pending: "Pending", done: "Done", failed: "Failed" };

/** One image and its caption; `children` holds the row's actions (edit, versions). */
export function CaptionRow({ caption, datasetId, children }: { caption: CaptionSnapshot; datasetId: string; children?: React.ReactNode }) {
  return (
    <li className="caption-row" data-testid="caption-row" data-status={caption.status} data-file-name={caption.fileName}>
      {caption.imageId ? (
        <img src={datasetImageUrl({ datasetId, id: caption.imageId }, "thumb")} alt={caption.fileName} loading="lazy" className="caption-row__thumb" />
      ) : (
        <span className="caption-row__thumb caption-row__thumb--removed" data-testid="caption-image-removed" title="Removed from the dataset">
          Removed
        </span>
      )}
      <div className="caption-row__body">
        <p className="caption-row__head">
          <span className="caption-row__name">{caption.fileName}</span> <span className={`badge ${badge[caption.status]}`}>{label[caption.status]}</span>
          {caption.status === "done" && <span className="muted"> · {formatCredits(caption.creditsCharged)}</span>}
          {/* What each step made of the image (a failed row links its cast from its failure). Not
              prefetched: a page of 100 rows would fetch 100 cast pages. */}
          {caption.castId && caption.status !== "failed" && (
            <>
              {" · "}
              <Link href={`/casts/${caption.castId}`} prefetch={false} data-testid="caption-steps-link">
                Steps
              </Link>
            </>
          )}
        </p>
        {caption.status === "done" && (
          <p className="caption-row__text" data-testid="caption-text">
            {caption.text}
          </p>
        )}
        {caption.status === "failed" && <CaptionFailure caption={caption} />}
        {children}
      </div>
    </li>
  );
}
