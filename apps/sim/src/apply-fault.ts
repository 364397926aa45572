import type { IncomingMessage, ServerResponse } from "node:http";

import type { ResolvedFault } from "./fault-store";
import { errorBody, sendRaw } from "./http-io";

export type FaultOutcome = "dropped" | "hung" | "fault" | "continue";

/** Acts out a fault after its delay has passed; "continue" means answer normally. */
export function applyFault(fault: ResolvedFault, req: IncomingMessage, res: ServerResponse, requestId: string): FaultOutcome {
  if (fault.drop) {
    // No status line at all: the client sees the connection reset mid-request.
    req.socket.destroy();
    return "dropped";
  }
  if (fault.hang) return "hung";
  if (fault.status === undefined && fault.body === undefined) return "continue";
  const status = fault.status ?? 200;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
  const body = fault.body ?? paddedErrorBody(status, requestId, fault.bodySize);
  sendRaw(res, status, body, headers);
  return "fault";
}

/**
 * A real error envelope grown to `size` bytes through an extra field, the way gateways attach
 * traces: the message stays short and parseable, only the body is big.
 */
export function paddedErrorBody(status: number, requestId: string, size: number | undefined): string {
  const envelope = errorBody(status, requestId);
  const plain = JSON.stringify(envelope);
  if (size === undefined || size <= plain.length) return plain;
  const overhead = JSON.stringify({ ...envelope, debug: "" }).length;
  return JSON.stringify({ ...envelope, debug: "x".repeat(Math.max(0, size - overhead)) });
}
