"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { CaptionSetSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";

/** Resume, re-run failed, cancel and raise the budget; each answer patches the set's cache. */
export function CaptionSetActions({ set }: { set: CaptionSetSnapshot }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [budget, setBudget] = useState("");
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.captions.get.queryKey({ setId: set.id }) });
  const opts = { onSuccess: refresh };
  const resume = useMutation(trpc.captions.resume.mutationOptions(opts));
  const rerun = useMutation(trpc.captions.rerunFailed.mutationOptions(opts));
  const cancel = useMutation(trpc.captions.cancel.mutationOptions(opts));
  const raise = useMutation(trpc.captions.raiseBudget.mutationOptions({ onSuccess: () => (setBudget(""), refresh()) }));
  const open = set.status === "in_progress" || set.status === "paused";
  const error = resume.error ?? rerun.error ?? cancel.error ?? raise.error;
  const pending = resume.isPending || rerun.isPending || cancel.isPending || raise.isPending;
  return (
    <div className="stack">
      <div className="caption-actions">
        {open && (
          <button type="button" className="button" disabled={pending} onClick={() => resume.mutate({ setId: set.id })}>
            Resume
          </button>
        )}
        {set.failed > 0 && !open && (
          <button type="button" className="button" disabled={pending} onClick={() => rerun.mutate({ setId: set.id })}>
            Re-run failed ({set.failed})
          </button>
        )}
        {open && (
          <button type="button" className="button button--danger-outline" disabled={pending} onClick={() => cancel.mutate({ setId: set.id })}>
            Cancel run
          </button>
        )}
        {open && (
          <form
            className="caption-actions"
            onSubmit={(e) => {
              e.preventDefault();
              const value = Number(budget);
              if (Number.isInteger(value) && value > 0) raise.mutate({ setId: set.id, budget: value });
            }}
          >
            <label className="visually-hidden" htmlFor="raise-budget">
              New budget
            </label>
            <input id="raise-budget" className="input" inputMode="numeric" placeholder={set.budget === null ? "Set a budget" : `Above ${set.budget}`} value={budget} onChange={(e) => setBudget(e.target.value)} style={{ width: "10rem" }} />
            <button type="submit" className="button" disabled={pending || budget.trim() === ""}>
              {set.budget === null ? "Set budget" : "Raise budget"}
            </button>
          </form>
        )}
      </div>
      {error && <FormAlert message={toUserMessage(error)} />}
    </div>
  );
}
