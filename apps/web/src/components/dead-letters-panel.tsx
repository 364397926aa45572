"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { DeadLetterFilter } from "@spellcast/core/dead-letters/schema";

import { useTRPC } from "~/trpc/react";

import { BulkReplayDialog } from "./bulk-replay-dialog";
import { ConfirmDialog } from "./confirm-dialog";
import { DeadLetterDialog } from "./dead-letter-dialog";
import { DeadLetterRow, truncate } from "./dead-letter-row";
import type { FilterErrors, FilterFields } from "./dead-letters-filter";
import { EMPTY_FILTER_FIELDS, parseFilterFields } from "./dead-letters-filter";
import { DeadLettersFilterForm } from "./dead-letters-filter-form";
import type { Notice } from "./dead-letters-notice";
import { DeadLettersNotice } from "./dead-letters-notice";
import type { DeadLetterItem } from "./dead-letters-types";
import { DiscardDeadLetterDialog } from "./discard-dead-letter-dialog";
import { toUserMessage } from "./error-message";
import { formatCredits } from "./format-credits";

/** Admins: search dead letters, open their error details, replay / edit and replay / discard, bulk replay. */
export function DeadLettersPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<FilterFields>(EMPTY_FILTER_FIELDS);
  const [errors, setErrors] = useState<FilterErrors>({});
  // The last search run, as typed and as sent: the rows shown and every bulk action use this one.
  const [searched, setSearched] = useState<{ fields: FilterFields; filter: DeadLetterFilter }>({ fields: EMPTY_FILTER_FIELDS, filter: {} });
  const [open, setOpen] = useState<{ item: DeadLetterItem; mode: "details" | "edit" } | null>(null);
  const [confirmReplay, setConfirmReplay] = useState<DeadLetterItem | null>(null);
  const [confirmDiscard, setConfirmDiscard] = useState<DeadLetterItem | null>(null);
  const [confirmBulk, setConfirmBulk] = useState(false);
  // Replays made from this page (row id → attempt) until the list shows them: Replay stays off meanwhile.
  const [replayed, setReplayed] = useState<ReadonlyMap<string, number>>(new Map());
  const [notice, setNotice] = useState<Notice | null>(null);

  const list = useInfiniteQuery(
    trpc.admin.deadLetters.list.infiniteQueryOptions({ filter: searched.filter, limit: 25 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.deadLetters.list.infiniteQueryKey() });
  const markReplayed = (id: string, attempt: number) => setReplayed((prev) => new Map(prev).set(id, attempt));
  const replay = useMutation(
    trpc.admin.deadLetters.replay.mutationOptions({
      onSuccess: (r, input) => {
        setConfirmReplay(null);
        markReplayed(r.originalId, input.attempt);
        setNotice({
          text: r.created
            ? `Replay queued: ${formatCredits(r.session.cost)} held on the user's account.`
            : `Already replayed (${r.session.status}): nothing charged again.`,
          job: r.job,
        });
        void refresh();
      },
    }),
  );
  const editReplay = useMutation(
    trpc.admin.deadLetters.editAndReplay.mutationOptions({
      onSuccess: (r, input) => {
        setOpen(null);
        markReplayed(r.originalId, input.attempt);
        setNotice({
          text: r.created
            ? `Replay queued with the new parameters: ${formatCredits(r.session.cost)} held on the user's account.`
            : `Already replayed (${r.session.status}): nothing charged again, the edit was not applied.`,
          job: r.job,
        });
        void refresh();
      },
    }),
  );
  const discard = useMutation(
    trpc.admin.deadLetters.discard.mutationOptions({
      onSuccess: (r) => {
        setConfirmDiscard(null);
        setNotice({ text: r.discarded ? "Discarded: hidden from this list, no credits moved." : "Already discarded: nothing changed." });
        void refresh();
      },
    }),
  );

  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const replayBusy = (item: DeadLetterItem) =>
    (replay.isPending && replay.variables.id === item.id) || item.replays.length < (replayed.get(item.id) ?? 0);
  const attemptOf = (item: DeadLetterItem) => item.replays.length + 1;

  const search = () => {
    const parsed = parseFilterFields(fields);
    if ("errors" in parsed) return setErrors(parsed.errors);
    setErrors({});
    setNotice(null);
    setSearched({ fields, filter: parsed.filter });
  };
  const clear = () => (setFields(EMPTY_FILTER_FIELDS), setErrors({}), setSearched({ fields: EMPTY_FILTER_FIELDS, filter: {} }));
  const dirty = (Object.keys(fields) as (keyof FilterFields)[]).some((k) => fields[k] !== searched.fields[k]);
  // Replay all acts on the search shown, so it waits for one: "" turns it off without a hint.
  const replayAllBlocked = dirty
    ? "Search first: the form differs from the rows shown, and Replay all acts on the search you ran."
    : list.isFetching || list.error || items.length === 0
      ? ""
      : null;

  return (
    <div className="stack">
      <DeadLettersFilterForm
        fields={fields}
        errors={errors}
        onChange={setFields}
        onSearch={search}
        onClear={clear}
        replayAllBlocked={replayAllBlocked}
        onReplayAll={() => setConfirmBulk(true)}
      />

      <DeadLettersNotice notice={notice} />
      {list.error && <p className="alert" role="alert">{toUserMessage(list.error)}</p>}

      <div className="table-wrap card">
        <table className="table table--fluid table--sticky-actions" aria-label="Dead letters">
          <thead>
            <tr>
              <th>User</th>
              <th>Prompt</th>
              <th>Provider status</th>
              <th>Message</th>
              <th>Failed at</th>
              <th>Refund</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <DeadLetterRow
                key={item.id}
                item={item}
                replayBusy={replayBusy(item)}
                discardBusy={discard.isPending}
                onOpen={(mode) => (editReplay.reset(), setOpen({ item, mode }))}
                onReplay={() => (replay.reset(), setConfirmReplay(item))}
                onDiscard={() => (discard.reset(), setConfirmDiscard(item))}
              />
            ))}
          </tbody>
        </table>
        {!list.isPending && items.length === 0 && <p className="empty-state muted">No dead letters match.</p>}
      </div>
      {list.hasNextPage && (
        <button type="button" className="button load-more" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          Load more
        </button>
      )}

      <DeadLetterDialog
        item={open?.item ?? null}
        mode={open?.mode ?? "details"}
        pending={editReplay.isPending}
        error={editReplay.error ? toUserMessage(editReplay.error) : null}
        onClose={() => setOpen(null)}
        onEditReplay={(edit) => {
          if (!open) return;
          editReplay.mutate({ id: open.item.id, attempt: attemptOf(open.item), prompt: edit.prompt, params: { size: edit.size, seed: edit.seed } });
        }}
      />
      <ConfirmDialog
        open={confirmReplay !== null}
        title={confirmReplay ? `Replay “${truncate(confirmReplay.prompt, 60)}”?` : "Replay?"}
        confirmLabel={confirmReplay ? `Replay for ${formatCredits(confirmReplay.replayCost)}` : "Replay"}
        pending={replay.isPending}
        error={replay.error ? toUserMessage(replay.error) : null}
        onConfirm={() => confirmReplay && replay.mutate({ id: confirmReplay.id, attempt: attemptOf(confirmReplay) })}
        onCancel={() => setConfirmReplay(null)}
      >
        {confirmReplay && (
          <p data-testid="replay-confirm-text">
            A new generation with the same prompt and parameters, charged to {confirmReplay.userEmail}:{" "}
            {formatCredits(confirmReplay.replayCost)} held on their account.
            {confirmReplay.replays.length > 0 && ` Attempt ${attemptOf(confirmReplay)}: the earlier replay ${confirmReplay.replays.at(-1)?.status}.`}
          </p>
        )}
      </ConfirmDialog>
      <DiscardDeadLetterDialog
        item={confirmDiscard}
        pending={discard.isPending}
        error={discard.error ? toUserMessage(discard.error) : null}
        onConfirm={(item) => discard.mutate({ id: item.id })}
        onCancel={() => setConfirmDiscard(null)}
      />
      <BulkReplayDialog
        open={confirmBulk}
        filter={searched.filter}
        onDone={(text) => (setConfirmBulk(false), setNotice({ text }), void refresh())}
        onCancel={() => setConfirmBulk(false)}
      />
    </div>
  );
}
