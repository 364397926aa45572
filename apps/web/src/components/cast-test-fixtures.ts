// Snapshots for the cast modules' unit tests (no test of its own).
import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import type { CastSnapshot } from "@spellcast/core/spells/schema";

import type { CastsData } from "./cast-cache";

export const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

export const SPELL_ID = uuid(0x5);

export function castSnap(n: number, over: Partial<CastSnapshot> = {}): CastSnapshot {
  return {
    id: uuid(0xc000 + n),
    spellId: SPELL_ID,
    datasetId: null,
    imageId: null,
    imageIndex: null,
    captionSetId: null,
    status: "running",
    stepGenerationIds: [],
    currentStep: 0,
    steps: [{ tool: "chatgpt", cost: 1 }],
    carriedFrom: null,
    output: null,
    errorDetails: null,
    createdAt: at(n),
    updatedAt: at(n),
    completedAt: null,
    ...over,
  };
}

export function stepSnap(cast: CastSnapshot, stepIndex: number, over: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    id: uuid(0x5000 + stepIndex),
    tool: "chatgpt",
    status: "queued",
    prompt: "polish",
    params: {},
    outputs: null,
    errorDetails: null,
    cost: 1,
    reservationId: null,
    attempts: 0,
    maxAttempts: 3,
    attemptLog: [],
    castId: cast.id,
    stepIndex,
    createdAt: at(20 + stepIndex),
    startedAt: null,
    completedAt: null,
    updatedAt: at(20 + stepIndex),
    ...over,
  };
}

export const castPages = (...items: Array<{ casts: CastSnapshot[]; more: boolean }>): CastsData => ({
  pages: items.map(({ casts, more }) => {
    const last = casts.at(-1);
    return { items: casts, nextCursor: more && last ? { createdAt: last.createdAt, id: last.id } : null };
  }),
  pageParams: items.map(() => undefined),
});

export const failure = (failedStep: number) => ({
  providerStatus: 400,
  providerMessage: "Refused by the model",
  providerBody: null,
  requestId: null,
  reason: "provider_error",
  attempts: 1,
  maxAttempts: 3,
  fatal: true,
  firstFailedAt: at(30),
  failedAt: at(30),
  reservationAmount: 1,
  refundedCredits: 1,
  refundedAt: at(30),
  refundError: null,
  failedStep,
});
