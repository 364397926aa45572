"use client";

import { ConfirmDialog } from "./confirm-dialog";
import { DateTime } from "./date-time";
import { truncate } from "./dead-letter-row";
import type { DeadLetterItem } from "./dead-letters-types";
import { formatCredits } from "./format-credits";

interface DiscardDeadLetterDialogProps {
  /** The row to discard; null keeps the dialog closed. */
  item: DeadLetterItem | null;
  pending: boolean;
  error: string | null;
  onConfirm: (item: DeadLetterItem) => void;
  onCancel: () => void;
}

/**
 * Asks before a discard, saying what it does (core `discardDeadLetter`): it only marks the failure
 * discarded, so it leaves the list and Replay all; it moves no credits (the refund was settled when
 * the generation failed, and a pending one is still retried by the sweeper) and cannot be undone here.
 */
export function DiscardDeadLetterDialog({ item, pending, error, onConfirm, onCancel }: DiscardDeadLetterDialogProps) {
  return (
    <ConfirmDialog
      open={item !== null}
      title={item ? `Discard “${truncate(item.prompt, 60)}”?` : "Discard?"}
      confirmLabel="Discard"
      pending={pending}
      error={error}
      onConfirm={() => item && onConfirm(item)}
      onCancel={onCancel}
    >
      {item && (
        <div data-testid="discard-confirm-text">
          <p>
            Hides this failure from the dead-letter list and from Replay all. It is kept, with your name and the time, and {item.userEmail} still sees it
            as failed in their history. There is no undo on this page.
          </p>
          <p>
            Discarding moves no credits: <RefundState item={item} />
          </p>
        </div>
      )}
    </ConfirmDialog>
  );
}

/** What became of the row's hold when it failed, which a discard leaves as it is. */
function RefundState({ item }: { item: DeadLetterItem }) {
  const { reservationAmount, refundedCredits, refundedAt, refundError } = item.errorDetails;
  if (refundError) return <>its refund is still pending, and the sweeper goes on retrying it after a discard.</>;
  return (
    <>
      {formatCredits(refundedCredits)} of the {formatCredits(reservationAmount)} held for it went back to the user when it failed
      {refundedAt && (
        <>
          {" "}
          (<DateTime value={new Date(refundedAt)} />)
        </>
      )}
      .
    </>
  );
}
