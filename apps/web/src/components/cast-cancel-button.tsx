"use client";

import { useMutation } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { useApplyCast } from "./use-apply-cast";

/** Cancels an active cast: its open step's hold comes back; the page flips from the answer at once. */
export function CastCancelButton({ castId }: { castId: string }) {
  const trpc = useTRPC();
  const applyCast = useApplyCast();
  const cancel = useMutation(trpc.casts.cancel.mutationOptions({ onSuccess: applyCast }));
  return (
    <div className="stack">
      <div>
        <button
          type="button"
          className="button button--danger-outline"
          onClick={() => cancel.mutate({ id: castId })}
          disabled={cancel.isPending}
          aria-busy={cancel.isPending || undefined}
        >
          {cancel.isPending && <span className="spinner" aria-hidden="true" />}
          Cancel cast
        </button>
      </div>
      <FormAlert message={cancel.isError ? toUserMessage(cancel.error) : null} />
    </div>
  );
}
