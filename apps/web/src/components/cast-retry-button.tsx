"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";

import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { useTRPC } from "~/trpc/react";

import { newClientKey } from "./client-key";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { formatCredits } from "./format-credits";
import { useApplyCast } from "./use-apply-cast";

/**
 * Casts a failed cast again from its failed step (the steps before it carry over, charged once)
 * and opens the new cast. One key per page: a second click, or a request repeated after a lost
 * answer, opens the same retry instead of charging twice.
 */
export function CastRetryButton({ cast, plan }: { cast: CastSnapshot; plan: { fromStep: number; credits: number } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const applyCast = useApplyCast();
  const [clientKey] = useState(newClientKey);
  const retry = useMutation(
    trpc.casts.retry.mutationOptions({
      onSuccess: (created) => {
        applyCast(created);
        router.push(`/casts/${created.id}`);
      },
    }),
  );
  return (
    <div className="stack cast-retry">
      <div>
        <button
          type="button"
          className="button"
          data-testid="cast-retry"
          onClick={() => retry.mutate({ castId: cast.id, clientKey })}
          disabled={retry.isPending}
          aria-busy={retry.isPending || undefined}
        >
          {retry.isPending && <span className="spinner" aria-hidden="true" />}
          {plan.fromStep > 0 ? `Retry from step ${plan.fromStep + 1}` : "Retry"} · {formatCredits(plan.credits)}
        </button>
      </div>
      {plan.fromStep > 0 && (
        <p className="muted">
          {plan.fromStep === 1 ? "Step 1 is" : `Steps 1–${plan.fromStep} are`} carried over with {plan.fromStep === 1 ? "its" : "their"} output: charged once, not run again.
        </p>
      )}
      <FormAlert message={retry.isError ? toUserMessage(retry.error) : null} />
    </div>
  );
}
