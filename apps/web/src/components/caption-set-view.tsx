"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import type { CaptionSetSnapshot, CaptionSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import { Breadcrumbs } from "./breadcrumbs";
import { CaptionProgress } from "./caption-progress";
import { CaptionList } from "./caption-list";
import { CaptionSetActions } from "./caption-set-actions";
import { CaptionTools } from "./caption-tools";
import { useCaptionLiveUpdates } from "./caption-live-updates";
import { DateTime } from "./date-time";
import { toUserMessage } from "./error-message";
import { PageHeader } from "./page-header";

const statusBadge: Record<CaptionSetSnapshot["status"], string> = {
  in_progress: "badge--info",
  paused: "badge--accent",
  completed: "badge--success",
  completed_with_errors: "badge--danger",
  canceled: "badge--neutral",
};
const statusLabel: Record<CaptionSetSnapshot["status"], string> = {
  in_progress: "In progress",
  paused: "Paused",
  completed: "Completed",
  completed_with_errors: "Completed with errors",
  canceled: "Canceled",
};

/** A caption run filling live: progress, status, actions, and each caption as it lands. */
export function CaptionSetView({ datasetId, setId }: { datasetId: string; setId: string | null }) {
  const trpc = useTRPC();
  // Read again whenever the page opens (staleTime 0): events only patch what is on screen, so a
  // cached copy misses whatever landed while the page was closed.
  const runs = useQuery({ ...trpc.captions.list.queryOptions({ datasetId }), enabled: setId === null, staleTime: 0 });
  const id = setId ?? runs.data?.[0]?.id ?? null;
  const data = useQuery({ ...trpc.captions.get.queryOptions({ setId: id ?? "" }), enabled: id !== null, retry: false, staleTime: 0 });
  useCaptionLiveUpdates(id);
  // Names for the breadcrumb and the header (both lists are small, and cached across pages).
  const datasetName = useQuery(trpc.datasets.list.queryOptions()).data?.find((d) => d.id === datasetId)?.name;
  const spells = useQuery(trpc.spells.list.queryOptions({ includeDeleted: true })).data;

  const back = (
    <Breadcrumbs
      items={[
        { href: "/datasets", label: "Datasets" },
        { href: `/datasets/${datasetId}`, label: datasetName ?? "Dataset" },
      ]}
    />
  );
  if (setId === null && runs.data && runs.data.length === 0) {
    return (
      <>
        {back}
        <section className="card empty-state">
          <p className="empty-state__title">No caption runs yet</p>
          <Link href={`/datasets/${datasetId}`} className="button">
            Start one from the dataset
          </Link>
        </section>
      </>
    );
  }
  if (data.error || runs.error) {
    return (
      <>
        {back}
        <section className="card empty-state">
          <p className="empty-state__title">This caption run could not be opened</p>
          <p>{toUserMessage(data.error ?? runs.error)}</p>
        </section>
      </>
    );
  }
  if (!data.data) return <div className="skeleton-line" aria-busy="true" />;
  const { set, captions } = data.data;
  const spell = spells?.find((s) => s.id === set.spellId);
  const spellName = spell && (spell.deletedAt ? `${spell.name} (deleted)` : spell.name);
  return (
    <>
      {back}
      <PageHeader
        title="Captions"
        lead={
          <>
            <span className={`badge ${statusBadge[set.status]}`} data-testid="caption-set-status" data-status={set.status}>
              {statusLabel[set.status]}
            </span>{" "}
            <span className="muted" data-testid="caption-set-origin">
              {spellName ? <>{spellName} · </> : null}started <DateTime value={new Date(set.createdAt)} />
            </span>
          </>
        }
      />
      <div className="stack">
        <section className="card" aria-label="Progress">
          <CaptionProgress set={set} />
          <CaptionSetActions set={set} rerunnable={rerunnableCount(captions)} />
        </section>
        <CaptionTools set={set} />
        <section className="card" aria-labelledby="captions-title">
          <h2 className="card__title" id="captions-title">
            Images and captions
          </h2>
          <CaptionList captions={captions} datasetId={datasetId} />
        </section>
      </div>
    </>
  );
}

/** Failed captions a re-run can cast again: not those whose image was removed from the dataset since. */
function rerunnableCount(captions: readonly CaptionSnapshot[]): number {
  let n = 0;
  for (const c of captions) if (c.status === "failed" && c.imageId !== null) n++;
  return n;
}
