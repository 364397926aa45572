"use client";

import { DateTime } from "./date-time";
import type { DeadLetterItem } from "./dead-letters-types";
import { formatCredits } from "./format-credits";
import { toolLabel } from "./tool-label";

interface DeadLetterRowProps {
  item: DeadLetterItem;
  /** A replay of this row is being sent or was just made (the list has not caught up yet). */
  replayBusy: boolean;
  discardBusy: boolean;
  onOpen: (mode: "details" | "edit") => void;
  onReplay: () => void;
  onDiscard: () => void;
}

/** Why this row can't be replayed now, or null. A live or completed replay is never charged twice. */
export function replayBlockedReason(item: DeadLetterItem): string | null {
  const last = item.replays.at(-1);
  if (last && last.status !== "failed" && last.status !== "canceled") return `Already replayed (${last.status})`;
  return null;
}

export const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** An email that may wrap before its "@" when its column is narrow. */
function BreakableEmail({ email }: { email: string }) {
  const at = email.lastIndexOf("@");
  if (at <= 0) return <>{email}</>;
  return (
    <>
      {email.slice(0, at)}
      <wbr />
      {email.slice(at)}
    </>
  );
}

/** One dead letter: who, what failed, when, the refund, and its actions. */
export function DeadLetterRow({ item, replayBusy, discardBusy, onOpen, onReplay, onDiscard }: DeadLetterRowProps) {
  const blocked = replayBusy ? "Replay in progress" : replayBlockedReason(item);
  const last = item.replays.at(-1);
  return (
    <tr data-testid="dead-letter-row">
      <td className="table__email">
        <BreakableEmail email={item.userEmail} />
      </td>
      <td className="table__name table__long">
        <button type="button" className="button button--ghost button--small" title={item.prompt} onClick={() => onOpen("details")}>
          {truncate(item.prompt, 60)}
        </button>
        {item.replayOf && <span className="muted"> (a replay)</span>}
      </td>
      <td>
        <span className="badge badge--danger">{item.errorDetails.providerStatus ?? item.errorDetails.reason}</span> <span className="muted">{toolLabel(item.tool)}</span>
      </td>
      <td className="table__long">
        <span className="table__clamp" title={item.errorDetails.providerMessage}>
          {item.errorDetails.providerMessage}
        </span>
      </td>
      <td>
        <DateTime value={new Date(item.failedAt)} />
      </td>
      <td>
        {formatCredits(item.errorDetails.refundedCredits)}
        {item.errorDetails.refundError && <span className="badge badge--danger"> Refund pending</span>}
      </td>
      <td>
        <div className="table__buttons">
          {(last || replayBusy) && (
            <span className="badge badge--info" data-testid="replay-status" title={item.replays.map((r) => `${r.id}: ${r.status}`).join("\n")}>
              Replay {last?.status ?? "starting"}
            </span>
          )}{" "}
          {item.castId === null && (
            <>
              <button type="button" className="button button--small" disabled={blocked !== null} title={blocked ?? undefined} onClick={onReplay}>
                Replay
              </button>{" "}
              <button type="button" className="button button--small" disabled={blocked !== null} title={blocked ?? undefined} onClick={() => onOpen("edit")}>
                Edit &amp; replay
              </button>{" "}
            </>
          )}
          <button type="button" className="button button--small button--danger-outline" disabled={discardBusy} onClick={onDiscard}>
            Discard
          </button>
        </div>
      </td>
    </tr>
  );
}
