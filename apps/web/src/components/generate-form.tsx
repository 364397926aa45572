"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useId, useRef, useState } from "react";

import { generationParamsSchema, MAX_PROMPT_LENGTH } from "@spellcast/core/sessions/schema";
import type { ImageSize } from "@spellcast/core/sessions/schema";

import { useTRPC } from "~/trpc/react";

import { newClientKey } from "./client-key";
import { errorCode, toUserMessage } from "./error-message";
import { formatCredits, formatNumber } from "./format-credits";
import type { GenerationSettings } from "./generation-settings";
import { AlertIcon } from "./icons";
import { imageSizeLabel } from "./image-size-label";
import { RequestCreditsLink } from "./request-credits-link";
import { SubmitButton } from "./submit-button";
import { useApplySession } from "./use-apply-session";
import { useCreditBalance } from "./use-credit-balance";

const seedSchema = generationParamsSchema.shape.seed;

/**
 * Prompt, size and seed, with the cost shown before submit. Each submit attempt carries a client
 * key; retrying the same request (after a network error, say) reuses it, so the server returns
 * the same session and charges once. The created session goes into the history at once.
 * `initial`: a past generation's settings ("Use these settings"), the prompt focused to edit.
 */
export function GenerateForm({ initial }: { initial?: GenerationSettings }) {
  const trpc = useTRPC();
  const apply = useApplySession();
  const pricing = useQuery(trpc.generations.pricing.queryOptions(undefined, { staleTime: Infinity }));
  const balance = useCreditBalance();
  const [prompt, setPrompt] = useState(initial?.prompt ?? "");
  const [size, setSize] = useState<ImageSize>(initial?.size ?? "1024x1024");
  const [seed, setSeed] = useState(initial && initial.seed !== null ? String(initial.seed) : "");
  // Set by a submit with no prompt: the field then says what is missing (the button never does nothing).
  const [tried, setTried] = useState(false);
  const attempt = useRef<{ key: string; request: string } | null>(null);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const ids = { prompt: useId(), counter: useId(), missing: useId(), size: useId(), seed: useId(), seedError: useId(), cost: useId() };

  const create = useMutation(trpc.generations.create.mutationOptions({ onSuccess: apply }));

  const cost = pricing.data?.sizes.find((s) => s.size === size)?.cost;
  const length = prompt.trim().length;
  const tooLong = prompt.length > MAX_PROMPT_LENGTH;
  const seedValue = seed.trim() === "" ? undefined : Number(seed);
  const seedInvalid = seedValue !== undefined && !seedSchema.safeParse(seedValue).success;
  const available = balance.data?.available;
  const short = cost !== undefined && available !== undefined && available < cost;
  const missing = tried && length === 0;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (length === 0) {
      setTried(true);
      promptRef.current?.focus();
      return;
    }
    if (create.isPending || tooLong || seedInvalid) return;
    const params = seedValue === undefined ? { size } : { size, seed: seedValue };
    const request = JSON.stringify({ prompt, params });
    // Same request as the failed attempt before it: same key, so the server deduplicates.
    if (attempt.current?.request !== request) attempt.current = { key: newClientKey(), request };
    create.mutate(
      { prompt, params, clientKey: attempt.current.key },
      {
        onSuccess: () => {
          attempt.current = null;
        },
      },
    );
  }

  const code = create.isError ? errorCode(create.error) : undefined;
  return (
    <form className="form generate-form" onSubmit={onSubmit} noValidate aria-describedby={ids.cost}>
      <div className="field">
        <label className="field__label" htmlFor={ids.prompt}>
          Prompt
        </label>
        <textarea
          id={ids.prompt}
          ref={promptRef}
          className="input generate-form__prompt"
          rows={4}
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          placeholder="A lighthouse on a cliff at dusk, oil painting"
          aria-describedby={missing ? `${ids.missing} ${ids.counter}` : ids.counter}
          aria-invalid={tooLong || missing || undefined}
          required
          autoFocus={initial !== undefined}
        />
        {missing && (
          <p className="field__error" id={ids.missing} data-testid="prompt-missing">
            Write a prompt first: what the image should show
          </p>
        )}
        <p className={`field__hint generate-form__counter${tooLong ? " is-over" : ""}`} id={ids.counter} data-testid="prompt-counter">
          {formatNumber(prompt.length)} / {formatNumber(MAX_PROMPT_LENGTH)} characters
        </p>
      </div>
      <div className="generate-form__row">
        <div className="field">
          <label className="field__label" htmlFor={ids.size}>
            Size
          </label>
          <select id={ids.size} className="input" value={size} onChange={(e) => setSize(e.target.value as ImageSize)}>
            {(pricing.data?.sizes ?? [{ size: "1024x1024" as const, cost: undefined }]).map((option) => (
              <option key={option.size} value={option.size}>
                {imageSizeLabel(option.size)}
                {option.cost !== undefined ? ` · ${formatCredits(option.cost)}` : ""}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.seed}>
            Seed <span className="muted">(optional)</span>
          </label>
          <input
            id={ids.seed}
            className="input"
            inputMode="numeric"
            value={seed}
            onChange={(e) => setSeed(e.target.value)}
            placeholder="Random"
            aria-invalid={seedInvalid || undefined}
            aria-describedby={seedInvalid ? ids.seedError : undefined}
          />
          {seedInvalid && (
            <p className="field__error" id={ids.seedError}>
              A whole number from 0 to 2,147,483,647
            </p>
          )}
        </div>
      </div>
      <div className="generate-form__footer">
        <p className="generate-form__cost" id={ids.cost} data-testid="generation-cost" aria-live="polite">
          {cost === undefined ? "Loading price…" : <>Costs <strong>{formatCredits(cost)}</strong></>}
          {available !== undefined && <span className="muted"> · {formatCredits(available)} available</span>}
        </p>
        <SubmitButton pending={create.isPending}>Generate</SubmitButton>
      </div>
      {short && !create.isError && (
        <p className="field__hint">
          Not enough credits for this size. <RequestCreditsLink />
        </p>
      )}
      {create.isError && (
        <div className="alert" role="alert" data-testid="form-error">
          <AlertIcon style={{ flexShrink: 0, marginTop: "0.1rem" }} />
          {code === "PAYMENT_REQUIRED" ? (
            <p>
              You don&apos;t have enough credits for this generation{cost !== undefined ? ` (${formatCredits(cost)})` : ""}.{" "}
              <RequestCreditsLink />
            </p>
          ) : (
            <p>{toUserMessage(create.error)}</p>
          )}
        </div>
      )}
    </form>
  );
}
