"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { useTRPC, useTRPCClient } from "~/trpc/react";

import { useCaptionRunsLiveUpdates } from "./caption-live-updates";
import { toUserMessage } from "./error-message";
import { RequestCreditsLink } from "./request-credits-link";
import { runShortfall } from "./run-shortfall";
import { useCreditBalance } from "./use-credit-balance";
import { FormAlert } from "./form-alert";
import { formatCount } from "./format-count";
import { formatCredits } from "./format-credits";
import { toolLabel } from "./tool-label";

/** "Caption with…": pick a spell, see the estimate (images × step costs), optional budget, start. */
export function CaptionRunForm({ datasetId, imageCount }: { datasetId: string; imageCount: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const spells = useQuery(trpc.spells.list.queryOptions());
  const captionSpells = (spells.data ?? []).filter((s) => s.input === "image" && s.output === "text");
  const [chosen, setChosen] = useState<string | null>(null);
  const spellId = chosen ?? captionSpells[0]?.id ?? null;
  const [budget, setBudget] = useState("");
  const trpcClient = useTRPCClient();
  const estimateInput = { datasetId, spellId: spellId ?? "" };
  // Keyed by the image count too: an upload finishing starts a new estimate. A refetch of the same
  // key would join a first fetch still in flight and keep its smaller count.
  const estimate = useQuery({
    queryKey: [...trpc.captions.estimate.queryKey(estimateInput), { imageCount }],
    queryFn: () => trpcClient.captions.estimate.query(estimateInput),
    enabled: spellId !== null && imageCount > 0,
    placeholderData: keepPreviousData,
  });
  // Live while shown, read again when shown again (events only patch what is on screen).
  const runs = useQuery({ ...trpc.captions.list.queryOptions({ datasetId }), staleTime: 0 });
  useCaptionRunsLiveUpdates(datasetId);
  const start = useMutation(
    trpc.captions.start.mutationOptions({
      onSuccess: (set) => router.push(`/datasets/${datasetId}/captions?set=${set.id}`),
    }),
  );
  const budgetValue = budget.trim() === "" ? null : Number(budget);
  const budgetError = budgetValue !== null && (!Number.isInteger(budgetValue) || budgetValue < 1) ? "A whole number of credits, at least 1" : null;
  const available = useCreditBalance().data?.available ?? null;
  const shortfall = estimate.data
    ? runShortfall({ images: estimate.data.images, perImage: estimate.data.perImage, available, budget: budgetError ? null : budgetValue })
    : null;

  return (
    <section className="card" aria-labelledby="caption-title" data-testid="caption-run-form">
      <h2 className="card__title" id="caption-title">
        Caption with…
      </h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (spellId && !budgetError) start.mutate({ datasetId, spellId, budget: budgetValue });
        }}
      >
        <div className="field field--wide">
          <label className="field__label" htmlFor="caption-spell">
            Spell
          </label>
          <select id="caption-spell" className="input" value={spellId ?? ""} onChange={(e) => setChosen(e.target.value)}>
            {captionSpells.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.steps.map((step) => toolLabel(step.tool)).join(" → ")})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor="caption-budget">
            Budget (credits, optional)
          </label>
          <input id="caption-budget" className="input" inputMode="numeric" value={budget} onChange={(e) => setBudget(e.target.value)} aria-invalid={budgetError ? true : undefined} />
          {budgetError && <p className="field__error">{budgetError}</p>}
        </div>
        <div aria-live="polite">
          <p className="muted" data-testid="caption-estimate">
            {estimate.data
              ? `${formatCount(estimate.data.images, "image")} × ${formatCredits(estimate.data.perImage)} = ${formatCredits(estimate.data.total)}`
              : imageCount === 0
                ? "Upload images first"
                : "Estimating…"}
          </p>
          {shortfall && (
            <p className="field__hint" data-testid="caption-shortfall">
              {shortfall.text}
              {shortfall.cause === "credits" && (
                <>
                  {" "}
                  <RequestCreditsLink />
                </>
              )}
            </p>
          )}
        </div>
        <div className="inline-form__actions">
          <button type="submit" className="button button--primary" disabled={!spellId || imageCount === 0 || start.isPending || budgetError !== null}>
            {start.isPending && <span className="spinner" aria-hidden="true" />}
            Start captioning
          </button>
        </div>
      </form>
      {start.error && <FormAlert message={toUserMessage(start.error)} />}
      {runs.data && runs.data.length > 0 && (
        <p className="muted">
          Runs:{" "}
          {runs.data.map((r, i) => (
            <span key={r.id}>
              {i > 0 && " · "}
              <Link href={`/datasets/${datasetId}/captions?set=${r.id}`}>
                {new Date(r.createdAt).toLocaleString("en")} ({r.status.replace(/_/g, " ")}, {r.done}/{r.total})
              </Link>
            </span>
          ))}
        </p>
      )}
    </section>
  );
}
