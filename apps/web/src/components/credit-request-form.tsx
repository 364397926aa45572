"use client";

import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useState } from "react";

import { createCreditRequestInputSchema, REQUEST_TEXT_MAX } from "@spellcast/core/credits/credit-request-schema";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { SubmitButton } from "./submit-button";

interface Fields {
  amount: string;
  reason: string;
}
type Errors = Partial<Record<keyof Fields, string>>;

/** The server's own schema decides; only "is it a whole number at all" is asked first. */
function validate({ amount, reason }: Fields): Errors {
  if (!amount.trim()) return { amount: "Enter how many credits you need" };
  if (!/^\d+$/.test(amount.trim())) return { amount: "Use a whole number of credits, like 500" };
  const parsed = createCreditRequestInputSchema.safeParse({ amount: Number(amount), reason });
  if (parsed.success) return {};
  const errors: Errors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if ((field === "amount" || field === "reason") && !errors[field]) errors[field] = issue.message;
  }
  return errors;
}

const EMPTY: Fields = { amount: "", reason: "" };

/** Ask the admins for credits: an amount and, optionally, what they are for. */
export function CreditRequestForm({ onSent }: { onSent: () => void }) {
  const trpc = useTRPC();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const create = useMutation(
    trpc.credits.requests.create.mutationOptions({
      onSuccess: () => {
        setFields(EMPTY);
        onSent();
      },
    }),
  );

  const change = (name: keyof Fields) => (value: string) => {
    setFields((f) => ({ ...f, [name]: value }));
    setErrors((e) => ({ ...e, [name]: undefined }));
    create.reset();
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = validate(fields);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    create.mutate({ amount: Number(fields.amount.trim()), reason: fields.reason });
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Request credits">
      <FormAlert message={create.error ? toUserMessage(create.error) : null} />
      <div className="request-form">
        <FormField
          label="Amount"
          name="amount"
          inputMode="numeric"
          autoComplete="off"
          placeholder="500"
          hint="Whole credits"
          value={fields.amount}
          onChange={(e) => change("amount")(e.target.value)}
          error={errors.amount}
        />
        <FormField
          label="Reason (optional)"
          name="reason"
          autoComplete="off"
          placeholder="e.g. Captioning a 2,000-image dataset"
          hint="Helps an admin decide"
          maxLength={REQUEST_TEXT_MAX + 16}
          value={fields.reason}
          onChange={(e) => change("reason")(e.target.value)}
          error={errors.reason}
        />
      </div>
      <div>
        <SubmitButton pending={create.isPending}>Send request</SubmitButton>
      </div>
    </form>
  );
}
