"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";

import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { formatCredits } from "./format-credits";
import { useApplyCast } from "./use-apply-cast";
import { CastStatusBadge } from "./cast-status-badge";

/**
 * Casts a failed cast again from its failed step (the steps before it carry over, charged once)
 * and opens the new cast. A cast retried already links to its retry instead: the server keeps one
 * retry per failed cast, so a second click, tab or visit never charges twice.
 */
export function CastRetryButton({ cast, plan }: { cast: CastSnapshot; plan: { fromStep: number; credits: number } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const applyCast = useApplyCast();
  const queryClient = useQueryClient();
  const existing = useQuery(trpc.casts.retryOf.queryOptions({ castId: cast.id }));
  const retry = useMutation(
    trpc.casts.retry.mutationOptions({
      onSuccess: (created) => {
        applyCast(created);
        // Back on this page, it links to the retry at once.
        queryClient.setQueryData(trpc.casts.retryOf.queryKey({ castId: cast.id }), created);
        router.push(`/casts/${created.id}`);
      },
    }),
  );
  if (existing.data) {
    return (
      <p className="cast-retry" data-testid="cast-retried">
        Retried already: <Link href={`/casts/${existing.data.id}`}>open the retry</Link>{" "}
        <CastStatusBadge status={existing.data.status} testId="cast-retry-status" />
      </p>
    );
  }
  return (
    <div className="stack cast-retry">
      <div>
        <button
          type="button"
          className="button"
          data-testid="cast-retry"
          onClick={() => retry.mutate({ castId: cast.id })}
          disabled={retry.isPending || existing.isPending}
          aria-busy={retry.isPending || undefined}
        >
          {retry.isPending && <span className="spinner" aria-hidden="true" />}
          {plan.fromStep > 0 ? `Retry from step ${plan.fromStep + 1}` : "Retry"} · {formatCredits(plan.credits)}
        </button>
      </div>
      {plan.fromStep > 0 && (
        <p className="muted">
          {plan.fromStep === 1 ? "Step 1 is" : `Steps 1–${plan.fromStep} are`} carried over with {plan.fromStep === 1 ? "its" : "their"} output: you pay only for the
          steps that run again.
        </p>
      )}
      <FormAlert message={retry.isError ? toUserMessage(retry.error) : existing.isError ? toUserMessage(existing.error) : null} />
    </div>
  );
}
