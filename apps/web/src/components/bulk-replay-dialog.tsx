"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Fragment } from "react";

import type { DeadLetterFilter } from "@spellcast/core/dead-letters/schema";

import { useTRPC } from "~/trpc/react";

import { ConfirmDialog } from "./confirm-dialog";
import { DateTime } from "./date-time";
import { toUserMessage } from "./error-message";
import { formatCount } from "./format-count";
import { formatCredits } from "./format-credits";
import { toolLabel } from "./tool-label";

interface BulkReplayDialogProps {
  open: boolean;
  /** The filter of the search the admin ran and sees, never the form as currently typed. */
  filter: DeadLetterFilter;
  onDone: (summary: string) => void;
  onCancel: () => void;
}

/**
 * Confirms "Replay all matching…" with what it will do: how many rows and users, and the credits
 * held. The replay then acts on exactly the previewed rows (by id), never on rows that matched later.
 */
export function BulkReplayDialog({ open, filter, onDone, onCancel }: BulkReplayDialogProps) {
  const trpc = useTRPC();
  // Fresh each time it opens: the counts must be those of the moment the admin confirms.
  const preview = useQuery({ ...trpc.admin.deadLetters.bulkReplayPreview.queryOptions({ filter }), enabled: open, staleTime: 0, gcTime: 0 });
  const bulk = useMutation(
    trpc.admin.deadLetters.bulkReplay.mutationOptions({
      onSuccess: (r) => {
        const failed = r.results.filter((x) => x.error).length;
        const already = r.selected - r.created - failed;
        onDone(
          `Bulk replay: ${formatCount(r.created, "generation")} replayed` +
            (already > 0 ? `, ${already} already replayed` : "") +
            (failed > 0 ? `, ${failed} refused (${r.results.find((x) => x.error)?.error ?? "see the rows"})` : "") +
            (r.skipped > 0 ? `, ${r.skipped} left out (discarded, replayed or changed since the preview)` : "") +
            ".",
        );
      },
    }),
  );
  const cancel = () => (bulk.reset(), onCancel());

  const data = preview.data;
  const nothing = data !== undefined && data.ids.length === 0;
  const confirmLabel = !data ? "Counting…" : nothing ? "Nothing to replay" : `Replay ${data.ids.length} for ${formatCredits(data.credits)}`;
  const error = preview.error ? toUserMessage(preview.error) : bulk.error ? toUserMessage(bulk.error) : null;

  return (
    <ConfirmDialog
      open={open}
      title="Replay every matching dead letter?"
      confirmLabel={confirmLabel}
      pending={bulk.isPending || !data}
      error={error}
      onConfirm={() => (data && !nothing ? bulk.mutate({ filter, ids: data.ids }) : cancel())}
      onCancel={cancel}
    >
      <p>
        Search: <FilterSummary filter={filter} />.
      </p>
      {data && (
        <p data-testid="bulk-replay-summary">
          {nothing
            ? "No row of this search can be replayed here."
            : `${formatCount(data.ids.length, "generation")} of ${formatCount(data.users, "user")} will be replayed, each charged to its user: ${formatCredits(data.credits)} held in total.`}
          {data.matching > data.ids.length &&
            ` ${data.matching - data.ids.length} more match but are left out: spell steps, rows already replayed (replay those one at a time) and rows past the first 100.`}
        </p>
      )}
    </ConfirmDialog>
  );
}

/** The searched filter in words ("every dead letter" when empty), dates as the rest of the app shows them. */
function FilterSummary({ filter }: { filter: DeadLetterFilter }) {
  const parts: ReactNode[] = [];
  if (filter.email) parts.push(`user email contains “${filter.email}”`);
  if (filter.tool) parts.push(`provider ${toolLabel(filter.tool)}`);
  if (filter.providerStatus === null) parts.push("no provider status");
  else if (filter.providerStatus !== undefined) parts.push(`provider status ${filter.providerStatus}`);
  if (filter.text) parts.push(`message contains “${filter.text}”`);
  if (filter.from) parts.push(<>failed after <DateTime value={new Date(filter.from)} /></>);
  if (filter.to) parts.push(<>failed before <DateTime value={new Date(filter.to)} /></>);
  if (parts.length === 0) return <strong>every dead letter (no filter)</strong>;
  return (
    <span data-testid="bulk-replay-filter">
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && ", "}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
