"use client";

import { useMutation } from "@tanstack/react-query";
import type { inferRouterInputs } from "@trpc/server";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { useId, useRef, useState } from "react";

// Types only from the API: the browser bundle never pulls in server code.
import type { AppRouter } from "@spellcast/api";
import { MAX_CAST_TEXT_LENGTH } from "@spellcast/core/spells/schema";
import type { SpellSnapshot } from "@spellcast/core/spells/schema";

import { useTRPC } from "~/trpc/react";

import type { PickedImage } from "./cast-image-picker";
import { CastImagePicker } from "./cast-image-picker";
import { newClientKey } from "./client-key";
import { errorCode, toUserMessage } from "./error-message";
import { formatCredits, formatNumber } from "./format-credits";
import { AlertIcon } from "./icons";
import { RequestCreditsLink } from "./request-credits-link";
import { SubmitButton } from "./submit-button";
import { useApplyCast } from "./use-apply-cast";
import { useCreditBalance } from "./use-credit-balance";
import { toolLabel } from "./tool-label";

type CastSource = inferRouterInputs<AppRouter>["casts"]["create"]["input"];

/**
 * The input the spell's first step takes (text, or an image of one of the caller's datasets), the
 * cost before submit (the spell's own `cost`: the sum of its step costs, as the server computes
 * it), then the cast page. A retried submit of the same input reuses its client key, so the server
 * returns the same cast and charges once.
 */
export function CastForm({ spell }: { spell: SpellSnapshot }) {
  const trpc = useTRPC();
  const router = useRouter();
  const applyCast = useApplyCast();
  const balance = useCreditBalance();
  const [text, setText] = useState("");
  const [image, setImage] = useState<PickedImage | null>(null);
  const [tried, setTried] = useState(false);
  const attempt = useRef<{ key: string; request: string } | null>(null);
  const ids = { text: useId(), counter: useId(), cost: useId() };

  const create = useMutation(
    trpc.casts.create.mutationOptions({
      onSuccess: (cast) => {
        applyCast(cast);
        router.push(`/casts/${cast.id}`);
      },
    }),
  );

  // The server trims before it checks the limit, so the counter counts what it will count.
  const length = text.trim().length;
  const tooLong = length > MAX_CAST_TEXT_LENGTH;
  const source: CastSource | null =
    spell.input === "text"
      ? length > 0
        ? { kind: "text", text }
        : null
      : image?.imageId
        ? { kind: "image", datasetId: image.datasetId, imageId: image.imageId }
        : null;
  const available = balance.data?.available;
  const short = available !== undefined && available < spell.cost;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (create.isPending || !source || tooLong) return;
    const request = JSON.stringify({ spellId: spell.id, input: source });
    // Same request as the failed attempt before it: same key, so the server deduplicates.
    if (attempt.current?.request !== request) attempt.current = { key: newClientKey(), request };
    create.mutate(
      { spellId: spell.id, input: source, clientKey: attempt.current.key },
      {
        onSuccess: () => {
          attempt.current = null;
        },
      },
    );
  }

  const code = create.isError ? errorCode(create.error) : undefined;
  const missing = tried && !source ? (spell.input === "text" ? "Give some text to cast on" : "Pick an image to cast on") : null;
  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-describedby={ids.cost} data-testid="cast-form">
      {spell.input === "text" ? (
        <div className="field">
          <label className="field__label" htmlFor={ids.text}>
            Text to cast on
          </label>
          <textarea
            id={ids.text}
            className="input generate-form__prompt"
            rows={5}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="A small red fox asleep in fresh snow"
            aria-describedby={ids.counter}
            aria-invalid={missing || tooLong ? true : undefined}
            required
          />
          <p className={`field__hint generate-form__counter${tooLong ? " is-over" : ""}`} id={ids.counter} data-testid="cast-text-counter">
            {formatNumber(length)} / {formatNumber(MAX_CAST_TEXT_LENGTH)} characters · the first step ({toolLabel(spell.steps[0]?.tool ?? "")}) reads it
          </p>
          {tooLong && (
            <p className="field__error" role="alert" data-testid="cast-too-long">
              At most {formatNumber(MAX_CAST_TEXT_LENGTH)} characters: shorten the text to cast.
            </p>
          )}
        </div>
      ) : (
        <CastImagePicker value={image} onChange={setImage} />
      )}
      <div className="generate-form__footer">
        <p className="generate-form__cost" id={ids.cost} data-testid="cast-cost" aria-live="polite">
          Costs <strong>{formatCredits(spell.cost)}</strong>
          {spell.steps.length > 1 && <span className="muted"> over {spell.steps.length} steps</span>}
          {available !== undefined && <span className="muted"> · {formatCredits(available)} available</span>}
        </p>
        <SubmitButton pending={create.isPending}>Cast</SubmitButton>
      </div>
      {missing && (
        <p className="field__error" role="alert" data-testid="cast-missing-input">
          {missing}
        </p>
      )}
      {short && !create.isError && (
        <p className="field__hint" data-testid="cast-short">
          Not enough credits for every step: the cast stops at the first one you cannot pay for. <RequestCreditsLink />
        </p>
      )}
      {create.isError && (
        <div className="alert" role="alert" data-testid="form-error">
          <AlertIcon style={{ flexShrink: 0, marginTop: "0.1rem" }} />
          {code === "PAYMENT_REQUIRED" ? (
            <p>
              You don&apos;t have enough credits for this cast ({formatCredits(spell.cost)}). <RequestCreditsLink />
            </p>
          ) : (
            <p>{toUserMessage(create.error)}</p>
          )}
        </div>
      )}
    </form>
  );
}
