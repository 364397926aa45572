import { describe, expect, it } from "vitest";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";

import type { GenerationsData } from "./generation-cache";
import { hasWhatCardNeeds, mergeSnapshot, patchPages } from "./generation-cache";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function snap(id: string, over: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    id,
    tool: "seedream",
    status: "queued",
    prompt: id,
    params: { size: "512x512" },
    outputs: null,
    errorDetails: null,
    cost: 2,
    reservationId: null,
    attempts: 0,
    maxAttempts: 3,
    attemptLog: [],
    castId: null,
    stepIndex: null,
    createdAt: at(0),
    startedAt: null,
    completedAt: null,
    updatedAt: at(0),
    ...over,
  };
}

const details = (refundedAt: string | null) => ({
  providerStatus: 400,
  providerMessage: "bad",
  providerBody: null,
  requestId: null,
  reason: "provider_error",
  attempts: 1,
  maxAttempts: 3,
  fatal: true,
  firstFailedAt: at(1),
  failedAt: at(1),
  reservationAmount: 2,
  refundedCredits: refundedAt ? 2 : 0,
  refundedAt,
  refundError: refundedAt ? null : "ledger down",
});

const pages = (...items: Array<{ ids: SessionSnapshot[]; more: boolean }>): GenerationsData => ({
  pages: items.map(({ ids, more }) => {
    const last = ids.at(-1);
    return { items: ids, nextCursor: more && last ? { createdAt: last.createdAt, id: last.id } : null };
  }),
  pageParams: items.map(() => undefined),
});

describe("mergeSnapshot", () => {
  it("never moves a terminal status back, even when the active snapshot is newer", () => {
    const failed = snap("a", { status: "failed", updatedAt: at(5), errorDetails: details(at(5)) });
    const running = snap("a", { status: "running", updatedAt: at(9) });
    expect(mergeSnapshot(failed, running)).toBe(failed);
    expect(mergeSnapshot(running, failed)).toBe(failed);
  });

  it("otherwise the newer updatedAt wins and the newest error_details are kept", () => {
    const queued = snap("a", { updatedAt: at(1) });
    const running = snap("a", { status: "running", updatedAt: at(2) });
    expect(mergeSnapshot(running, queued)).toBe(running);
    expect(mergeSnapshot(queued, running)).toBe(running);
    const refundPending = snap("a", { status: "failed", updatedAt: at(3), errorDetails: details(null) });
    const refunded = snap("a", { status: "failed", updatedAt: at(4), errorDetails: details(at(4)) });
    expect(mergeSnapshot(refunded, refundPending).errorDetails?.refundedAt).toBe(at(4));
    expect(mergeSnapshot(refundPending, refunded).errorDetails?.refundedAt).toBe(at(4));
  });
});

describe("patchPages", () => {
  const s = (i: number) => snap(`0000000${i}`, { createdAt: at(i), updatedAt: at(i) });

  it("patches a cached session in place", () => {
    const data = pages({ ids: [s(3), s(2)], more: false });
    const done = { ...s(2), status: "completed" as const, updatedAt: at(10) };
    expect(patchPages(data, done)?.pages[0]?.items.map((x) => x.status)).toEqual(["queued", "completed"]);
  });

  it("inserts an unknown session where it belongs, newest first", () => {
    const data = pages({ ids: [s(9), s(7)], more: true }, { ids: [s(5), s(3)], more: false });
    expect(patchPages(data, s(10))?.pages[0]?.items.map((x) => x.id)).toEqual([s(10).id, s(9).id, s(7).id]);
    expect(patchPages(data, s(4))?.pages[1]?.items.map((x) => x.id)).toEqual([s(5).id, s(4).id, s(3).id]);
    expect(patchPages(data, s(1))?.pages[1]?.items.map((x) => x.id)).toEqual([s(5).id, s(3).id, s(1).id]);
  });

  it("leaves a session older than everything loaded to Load more while more pages exist", () => {
    const data = pages({ ids: [s(9), s(7)], more: true });
    expect(patchPages(data, s(1))).toBe(data);
  });

  it("an empty first page takes the session", () => {
    expect(patchPages(pages({ ids: [], more: false }), s(1))?.pages[0]?.items).toHaveLength(1);
  });

  it("never inserts a spell step (the list holds single generations only)", () => {
    const data = pages({ ids: [s(3)], more: false });
    const step = snap("0000000c", { createdAt: at(9), updatedAt: at(9), castId: "00000000-0000-4000-8000-0000000000c1", stepIndex: 0 });
    expect(patchPages(data, step)).toBe(data);
  });
});

it("a completed session without outputs or a failed one without details needs a read", () => {
  expect(hasWhatCardNeeds(snap("a", { status: "completed" }))).toBe(false);
  expect(hasWhatCardNeeds(snap("a", { status: "failed" }))).toBe(false);
  expect(hasWhatCardNeeds(snap("a", { status: "running" }))).toBe(true);
});
