"use client";

import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useState } from "react";

import { useTRPC } from "~/trpc/react";

import { EMAIL_PATTERN } from "./auth-field-rules";
import { toUserMessage } from "./error-message";
import { formatCredits } from "./format-credits";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { SubmitButton } from "./submit-button";

const MAX_AMOUNT = 2 ** 31 - 1;
const REASON_MAX = 500;

interface Fields {
  email: string;
  amount: string;
  reason: string;
}
type Errors = Partial<Record<keyof Fields, string>>;

function validate({ email, amount, reason }: Fields): Errors {
  const errors: Errors = {};
  if (!email) errors.email = "Enter the recipient's email address";
  else if (!EMAIL_PATTERN.test(email)) errors.email = "Enter a valid email address, like name@example.com";
  if (!amount) errors.amount = "Enter how many credits to grant";
  else if (!/^\d+$/.test(amount)) errors.amount = "Use a whole number of credits, like 250";
  else if (Number(amount) < 1 || Number(amount) > MAX_AMOUNT) errors.amount = `Grant between 1 and ${MAX_AMOUNT.toLocaleString()} credits`;
  if (!reason) errors.reason = "Say what the credits are for; the user sees it in their history";
  else if (reason.length > REASON_MAX) errors.reason = `Use at most ${REASON_MAX} characters`;
  return errors;
}

/** One request id per distinct grant: a retried submit of the same grant is applied once. */
function newRequestKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const EMPTY: Fields = { email: "", amount: "", reason: "" };

/** Admins: grant credits to a user by email. */
export function GrantCreditsForm() {
  const trpc = useTRPC();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [requestKey, setRequestKey] = useState(newRequestKey);
  const [done, setDone] = useState<string | null>(null);

  const grant = useMutation(
    trpc.admin.credits.grant.mutationOptions({
      onSuccess: ({ recipient, entry, account, replayed }) => {
        setDone(
          `${replayed ? "Already granted" : "Granted"} ${formatCredits(entry.amount)} to ${recipient.email}. ` +
            `Their balance is now ${formatCredits(account.balance)}.`,
        );
        setFields(EMPTY);
        setRequestKey(newRequestKey());
      },
    }),
  );

  const change = (name: keyof Fields) => (value: string) => {
    setFields((f) => ({ ...f, [name]: value }));
    setErrors((e) => ({ ...e, [name]: undefined }));
    // Different figures are a different grant.
    setRequestKey(newRequestKey());
    setDone(null);
    grant.reset();
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = { email: fields.email.trim(), amount: fields.amount.trim(), reason: fields.reason.trim() };
    const found = validate(trimmed);
    setErrors(found);
    setDone(null);
    if (Object.keys(found).length > 0) return;
    grant.mutate({ email: trimmed.email, amount: Number(trimmed.amount), reason: trimmed.reason, idempotencyKey: requestKey });
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Grant credits">
      <FormAlert message={grant.error ? toUserMessage(grant.error) : null} />
      {done && (
        <p className="notice notice--success" role="status" data-testid="grant-success">
          {done}
        </p>
      )}
      <div className="grant-form">
        <FormField
          label="User email"
          name="email"
          type="email"
          autoComplete="off"
          placeholder="name@example.com"
          value={fields.email}
          onChange={(e) => change("email")(e.target.value)}
          error={errors.email}
        />
        <FormField
          label="Amount"
          name="amount"
          inputMode="numeric"
          autoComplete="off"
          placeholder="250"
          hint="Whole credits"
          value={fields.amount}
          onChange={(e) => change("amount")(e.target.value)}
          error={errors.amount}
        />
        <FormField
          label="Reason"
          name="reason"
          autoComplete="off"
          placeholder="e.g. Refund for ticket #42"
          hint="Shown to the user in their history"
          maxLength={REASON_MAX + 16}
          value={fields.reason}
          onChange={(e) => change("reason")(e.target.value)}
          error={errors.reason}
        />
      </div>
      <div>
        <SubmitButton pending={grant.isPending}>Grant credits</SubmitButton>
      </div>
    </form>
  );
}
