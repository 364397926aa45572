"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useState } from "react";

import { useTRPC } from "~/trpc/react";

import { ConfirmDialog } from "./confirm-dialog";
import { DeadLetterDialog } from "./dead-letter-dialog";
import type { DeadLetterItem } from "./dead-letters-types";
import { toUserMessage } from "./error-message";
import { formatCredits } from "./format-credits";

interface Filter {
  email?: string;
  tool?: string;
  providerStatus?: number | null;
  text?: string;
  from?: string;
  to?: string;
}

const FIELDS = ["email", "tool", "providerStatus", "text", "from", "to"] as const;
type Fields = Record<(typeof FIELDS)[number], string>;
const EMPTY: Fields = { email: "", tool: "", providerStatus: "", text: "", from: "", to: "" };

function toFilter(f: Fields): Filter {
  const filter: Filter = {};
  if (f.email.trim()) filter.email = f.email.trim();
  if (f.tool.trim()) filter.tool = f.tool.trim();
  if (f.providerStatus.trim() === "none") filter.providerStatus = null;
  else if (/^\d{3}$/.test(f.providerStatus.trim())) filter.providerStatus = Number(f.providerStatus.trim());
  if (f.text.trim()) filter.text = f.text.trim();
  if (f.from) filter.from = new Date(f.from).toISOString();
  if (f.to) filter.to = new Date(f.to).toISOString();
  return filter;
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** Admins: search dead letters, open their error details, replay / edit and replay / discard, bulk replay. */
export function DeadLettersPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [filter, setFilter] = useState<Filter>({});
  const [open, setOpen] = useState<{ item: DeadLetterItem; mode: "details" | "edit" } | null>(null);
  const [confirmBulk, setConfirmBulk] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const list = useInfiniteQuery(
    trpc.admin.deadLetters.list.infiniteQueryOptions({ filter, limit: 25 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.deadLetters.list.infiniteQueryKey() });
  const onError = (err: unknown) => setNotice(toUserMessage(err));
  const replay = useMutation(
    trpc.admin.deadLetters.replay.mutationOptions({
      onSuccess: (r) => {
        setNotice(r.created ? `Replayed as ${r.session.id} (${formatCredits(r.session.cost)} held on the user's account).` : `Already replayed as ${r.session.id}.`);
        void refresh();
      },
      onError,
    }),
  );
  const editReplay = useMutation(
    trpc.admin.deadLetters.editAndReplay.mutationOptions({
      onSuccess: (r) => {
        setOpen(null);
        setNotice(`Replayed with new parameters as ${r.session.id}.`);
        void refresh();
      },
    }),
  );
  const discard = useMutation(
    trpc.admin.deadLetters.discard.mutationOptions({
      onSuccess: () => {
        setNotice("Discarded: hidden from this list.");
        void refresh();
      },
      onError,
    }),
  );
  const bulk = useMutation(
    trpc.admin.deadLetters.bulkReplay.mutationOptions({
      onSuccess: (r) => {
        setConfirmBulk(false);
        const failed = r.results.filter((x) => x.error).length;
        setNotice(`Bulk replay: ${r.selected} selected, ${r.created} replayed, ${r.selected - r.created - failed} already replayed, ${failed} refused.`);
        void refresh();
      },
    }),
  );

  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    setFilter(toFilter(fields));
  };

  return (
    <div className="stack">
      <form className="card inline-form" onSubmit={submit} aria-label="Filter dead letters">
        {FIELDS.map((name) => (
          <div className="field" key={name}>
            <label className="field__label" htmlFor={`dl-${name}`}>
              {{ email: "User email", tool: "Provider", providerStatus: "Provider status", text: "Message contains", from: "Failed after", to: "Failed before" }[name]}
            </label>
            <input
              id={`dl-${name}`}
              className="input"
              type={name === "from" || name === "to" ? "datetime-local" : "text"}
              placeholder={name === "providerStatus" ? "400, 502 or none" : name === "tool" ? "seedream" : undefined}
              value={fields[name]}
              onChange={(e) => setFields({ ...fields, [name]: e.target.value })}
            />
          </div>
        ))}
        <div className="inline-form__actions">
          <button type="submit" className="button button--primary">Search</button>
          <button type="button" className="button" onClick={() => (setFields(EMPTY), setFilter({}))}>Clear</button>
          <button type="button" className="button button--danger-outline" disabled={items.length === 0} onClick={() => setConfirmBulk(true)}>
            Replay all matching…
          </button>
        </div>
      </form>

      {notice && <p className="notice" role="status">{notice}</p>}
      {list.error && <p className="alert" role="alert">{toUserMessage(list.error)}</p>}

      <div className="table-wrap card">
        <table className="table" aria-label="Dead letters">
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
              <tr key={item.id} data-testid="dead-letter-row">
                <td>{item.userEmail}</td>
                <td className="table__name">
                  <button type="button" className="button button--ghost button--small" onClick={() => setOpen({ item, mode: "details" })}>
                    {item.prompt.length > 60 ? `${item.prompt.slice(0, 60)}…` : item.prompt}
                  </button>
                </td>
                <td>
                  <span className="badge badge--danger">{item.errorDetails.providerStatus ?? item.errorDetails.reason}</span> <span className="muted">{item.tool}</span>
                </td>
                <td>{item.errorDetails.providerMessage}</td>
                <td>{when(item.failedAt)}</td>
                <td>
                  {formatCredits(item.errorDetails.refundedCredits)}
                  {item.errorDetails.refundError && <span className="badge badge--danger"> refund pending</span>}
                </td>
                <td>
                  {item.replays.length > 0 && (
                    <span className="badge badge--info" title={item.replays.map((r) => `${r.id}: ${r.status}`).join("\n")}>
                      replay {item.replays.at(-1)?.status}
                    </span>
                  )}{" "}
                  {item.castId === null && (
                    <>
                      <button type="button" className="button button--small" disabled={replay.isPending} onClick={() => replay.mutate({ id: item.id })}>
                        Replay
                      </button>{" "}
                      <button type="button" className="button button--small" onClick={() => (editReplay.reset(), setOpen({ item, mode: "edit" }))}>
                        Edit &amp; replay
                      </button>{" "}
                    </>
                  )}
                  <button type="button" className="button button--small button--danger-outline" disabled={discard.isPending} onClick={() => discard.mutate({ id: item.id })}>
                    Discard
                  </button>
                </td>
              </tr>
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
          editReplay.mutate({ id: open.item.id, prompt: edit.prompt, params: { size: edit.size as "512x512", seed: edit.seed } });
        }}
      />
      <ConfirmDialog
        open={confirmBulk}
        title="Replay every matching dead letter?"
        confirmLabel="Replay up to 100"
        pending={bulk.isPending}
        error={bulk.error ? toUserMessage(bulk.error) : null}
        onConfirm={() => bulk.mutate({ filter, limit: 100 })}
        onCancel={() => setConfirmBulk(false)}
      >
        Up to 100 rows matching the current search are replayed, each as a new generation charged to its user. Rows already
        replayed are skipped.
      </ConfirmDialog>
    </div>
  );
}
