"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { CaptionSetSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import { CaptionBudgetForm } from "./caption-budget-form";
import { ConfirmDialog } from "./confirm-dialog";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { formatCount } from "./format-count";
import { formatCredits } from "./format-credits";
import { RequestCreditsLink } from "./request-credits-link";

/**
 * Resume, re-run failed, cancel (after a confirmation) and the budget; each answer refreshes the set.
 * `rerunnable`: the failed captions a re-run would cast (their image is still in the dataset).
 */
export function CaptionSetActions({ set, rerunnable }: { set: CaptionSetSnapshot; rerunnable: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirmCancel, setConfirmCancel] = useState(false);
  // A notice speaks of the status it answered: once the set moves on (the budget raised, the run
  // ended), it would be stale, so it shows only while the set still has that status.
  const [notice, setNotice] = useState<{ text: string; status: CaptionSetSnapshot["status"] } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.captions.get.queryKey({ setId: set.id }) });
  const resume = useMutation(
    trpc.captions.resume.mutationOptions({
      onSuccess: (after) => {
        setNotice({
          status: after.status,
          text:
            after.status === "paused"
              ? after.budget === null
                ? "Still paused: your credits ran out. Request credits, then resume."
                : "Still paused: the next image would go over the budget, or your credits ran out. Raise the budget (or request credits) to go on."
              : "Resumed: images with neither a caption nor a running cast are queued again; none is charged twice.",
        });
        return refresh();
      },
    }),
  );
  const open = set.status === "in_progress" || set.status === "paused";
  // Read when the button shows (the set has ended), so it prices the failures as they are now.
  const estimate = useQuery({ ...trpc.captions.rerunEstimate.queryOptions({ setId: set.id }), enabled: rerunnable > 0 && !open });
  const rerun = useMutation(
    trpc.captions.rerunFailed.mutationOptions({
      onSuccess: () => Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: trpc.captions.rerunEstimate.queryKey({ setId: set.id }) })]),
    }),
  );
  // A stale estimate (it counted other failures than the list shows now) is not shown.
  const rerunCost = estimate.data?.images === rerunnable ? estimate.data : null;
  const cancel = useMutation(
    trpc.captions.cancel.mutationOptions({
      onSuccess: () => {
        setConfirmCancel(false);
        return refresh();
      },
    }),
  );
  const waiting = set.total - set.done - set.failed;
  const error = resume.error ?? rerun.error;
  const pending = resume.isPending || rerun.isPending || cancel.isPending;
  return (
    <div className="stack">
      {set.status === "paused" && (
        <p className="muted" data-testid="caption-paused-reason">
          {set.budget === null ? (
            <>
              Paused: your credits ran out. <RequestCreditsLink />, then resume.
            </>
          ) : (
            <>
              Paused: the next image would go over the budget, or your credits ran out. Images already started still finish; raise the budget (or{" "}
              <RequestCreditsLink>request credits</RequestCreditsLink>) to go on.
            </>
          )}
        </p>
      )}
      <div className="caption-actions">
        {open && (
          <button
            type="button"
            className="button"
            disabled={pending}
            title="Queues again the images that have neither a caption nor a running cast. A run also resumes by itself after a crash."
            onClick={() => {
              setNotice(null);
              resume.mutate({ setId: set.id });
            }}
          >
            Resume
          </button>
        )}
        {rerunnable > 0 && !open && (
          <button type="button" className="button" disabled={pending} data-testid="caption-rerun" onClick={() => rerun.mutate({ setId: set.id })}>
            Re-run failed ({rerunnable}){rerunCost && <> · {formatCredits(rerunCost.credits)}</>}
          </button>
        )}
        {open && (
          <button type="button" className="button button--danger-outline" disabled={pending} onClick={() => setConfirmCancel(true)}>
            Cancel run
          </button>
        )}
        {open && <CaptionBudgetForm set={set} onChanged={refresh} />}
      </div>
      {rerunCost && rerunCost.carriedOver > 0 && !open && (
        <p className="muted" data-testid="caption-rerun-carry">
          {rerunCost.carriedOver === rerunnable ? (rerunnable === 1 ? "It keeps" : "They keep") : `${formatCount(rerunCost.carriedOver, "image")} keep`} the
          steps that completed before the failure: only the failed step and those after it run again, and you pay only for those.
        </p>
      )}
      {notice?.status === set.status && open && (
        <p className="muted" role="status" data-testid="caption-resume-notice">
          {notice.text}
        </p>
      )}
      <FormAlert message={error ? toUserMessage(error) : null} />
      <ConfirmDialog
        open={confirmCancel && open}
        title="Cancel this caption run?"
        confirmLabel="Yes, cancel run"
        dismissLabel="Keep running"
        pending={cancel.isPending}
        error={cancel.error ? toUserMessage(cancel.error) : null}
        onConfirm={() => cancel.mutate({ setId: set.id })}
        onCancel={() => setConfirmCancel(false)}
      >
        <p>
          {formatCount(waiting, "image")} not captioned yet will not be, and the credits held for them come back. The{" "}
          {formatCount(set.done, "caption")} already written stay.
        </p>
      </ConfirmDialog>
    </div>
  );
}
