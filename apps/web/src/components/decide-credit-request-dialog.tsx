"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import type { OpenCreditRequest } from "@spellcast/core/credits/credit-request-schema";
import { creditRequestAmountSchema, REQUEST_TEXT_MAX } from "@spellcast/core/credits/credit-request-schema";

import { useTRPC } from "~/trpc/react";

import { ConfirmDialog } from "./confirm-dialog";
import { toUserMessage } from "./error-message";
import { formatCredits } from "./format-credits";
import { FormField } from "./form-field";

export type Decision = "grant" | "decline";

/** The amount field's problem, by the server's own rule; null when it is fine. */
function amountError(amount: string): string | null {
  if (!/^\d+$/.test(amount.trim())) return "Use a whole number of credits, like 500";
  const parsed = creditRequestAmountSchema.safeParse(Number(amount));
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? "Not a valid amount");
}

/**
 * Grant (the amount asked, or another) or decline one open request, with an optional note the
 * user reads. The server decides each request once: a second decision is refused with its reason.
 */
export function DecideCreditRequestDialog({
  request,
  decision,
  onDone,
  onSettled,
  onClose,
}: {
  request: OpenCreditRequest;
  decision: Decision;
  onDone: (message: string) => void;
  /** After any answer: the list is read again (a refusal means someone else decided first). */
  onSettled: () => void;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const [amount, setAmount] = useState(String(request.amount));
  const [note, setNote] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const who = request.userEmail;
  const grant = useMutation(
    trpc.admin.creditRequests.grant.mutationOptions({
      onSuccess: ({ request: granted, account }) =>
        onDone(`Granted ${formatCredits(granted.grantedAmount ?? 0)} to ${who}. Their balance is now ${formatCredits(account.balance)}.`),
      onSettled,
    }),
  );
  const decline = useMutation(
    trpc.admin.creditRequests.decline.mutationOptions({
      onSuccess: () => onDone(`Declined ${who}'s request for ${formatCredits(request.amount)}.`),
      onSettled,
    }),
  );
  const mutation = decision === "grant" ? grant : decline;

  function confirm() {
    if (decision === "decline") return decline.mutate({ requestId: request.id, note });
    const problem = amountError(amount);
    setFieldError(problem);
    if (!problem) grant.mutate({ requestId: request.id, amount: Number(amount.trim()), note });
  }

  return (
    <ConfirmDialog
      open
      title={decision === "grant" ? `Grant credits to ${who}?` : `Decline ${who}'s request?`}
      confirmLabel={decision === "grant" ? "Grant" : "Decline"}
      tone={decision === "grant" ? "primary" : "danger"}
      pending={mutation.isPending}
      error={mutation.error ? toUserMessage(mutation.error) : null}
      onConfirm={confirm}
      onCancel={onClose}
    >
      <form
        className="form"
        noValidate
        aria-label={decision === "grant" ? "Grant request" : "Decline request"}
        onSubmit={(e) => {
          e.preventDefault();
          confirm();
        }}
      >
        <p>
          They asked for {formatCredits(request.amount)}
          {request.reason ? `: “${request.reason}”` : "."}
        </p>
        {decision === "grant" && (
          <FormField
            label="Amount to grant"
            name="amount"
            inputMode="numeric"
            autoComplete="off"
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              setFieldError(null);
            }}
            error={fieldError ?? undefined}
          />
        )}
        <FormField
          label="Note to the user (optional)"
          name="note"
          autoComplete="off"
          maxLength={REQUEST_TEXT_MAX}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </form>
    </ConfirmDialog>
  );
}
