"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";

import type { CaptionSetSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";

/** Checked here first, so a typo gets its reason at once; the server decides the rest. */
function budgetError(text: string, current: number | null): string | null {
  if (!/^\d+$/.test(text)) return "Use a whole number of credits, like 500";
  const value = Number(text);
  if (value < 1) return "A budget is at least 1 credit";
  if (current !== null && value <= current) return `Raise it above the current ${current} credits`;
  return null;
}

/** Sets or raises a running or paused set's budget; a paused run goes on once the cap allows. */
export function CaptionBudgetForm({ set, onChanged }: { set: CaptionSetSnapshot; onChanged: () => void }) {
  const trpc = useTRPC();
  const errorId = useId();
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const raise = useMutation(
    trpc.captions.raiseBudget.mutationOptions({
      onSuccess: () => {
        setText("");
        onChanged();
      },
    }),
  );
  const error = invalid ?? (raise.error ? toUserMessage(raise.error) : null);
  return (
    <form
      className="caption-actions"
      aria-label="Budget"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const problem = budgetError(text.trim(), set.budget);
        setInvalid(problem);
        if (!problem) raise.mutate({ setId: set.id, budget: Number(text.trim()) });
      }}
    >
      <label className="visually-hidden" htmlFor={`${errorId}-input`}>
        {set.budget === null ? "Budget" : "New budget"}
      </label>
      <input
        id={`${errorId}-input`}
        className="input"
        inputMode="numeric"
        placeholder={set.budget === null ? "Set a budget" : `Above ${set.budget}`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        style={{ width: "10rem" }}
      />
      <button type="submit" className="button" disabled={raise.isPending || text.trim() === ""}>
        {set.budget === null ? "Set budget" : "Raise budget"}
      </button>
      {error && (
        <p className="field__error" id={errorId} data-testid="budget-error">
          {error}
        </p>
      )}
    </form>
  );
}
