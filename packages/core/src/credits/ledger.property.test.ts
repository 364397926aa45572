import { randomUUID } from "node:crypto";

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

import { isDomainError } from "../errors";
import { auditLedger } from "./audit-ledger";
import { createLedger } from "./create-ledger";
import { grantCredits } from "./grant-credits";
import { getBalance } from "./read-credits";
import { reserveCredits } from "./reserve-credits";
import { captureReservation, releaseReservation } from "./settle-reservation";
import { createTestUsers, openTestDb } from "./test-support";
import type { GrantResult, ReserveResult, SettleResult } from "./types";

// DESIGN.md invariants 1 and 2 under concurrency: 64 clients run random grant / reserve /
// capture / release / replay / conflicting-replay ops on a few accounts, half through the
// batching ledger and half through plain one-transaction calls (so batches and single calls
// contend for the same rows). After every round the database is audited and compared with
// what the callers were told.

const CLIENTS = 64;
const ROUNDS = 10;
const OPS_PER_ROUND = 1_000;
const ACCOUNTS = 4;

const { db, close } = openTestDb(16);
const ledger = createLedger(db, { maxConcurrentBatches: 4 });
afterAll(async () => {
  await ledger.drain();
  await close();
});

type Step =
  | { kind: "grant" | "reserve"; account: number; amount: number }
  | { kind: "capture"; pick: number; fraction: number }
  | { kind: "release" | "replay" | "conflict"; pick: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("grant" as const), account: fc.nat(ACCOUNTS - 1), amount: fc.integer({ min: 1, max: 300 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("reserve" as const), account: fc.nat(ACCOUNTS - 1), amount: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("capture" as const), pick: fc.nat(), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replay" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("conflict" as const), pick: fc.nat() }) },
);

type Call =
  | { kind: "grant"; params: Parameters<typeof grantCredits>[1]; result: GrantResult }
  | { kind: "reserve"; params: Parameters<typeof reserveCredits>[1]; result: ReserveResult };

/** What callers were told, to compare with the database. */
class Model {
  calls: Call[] = [];
  reservations: { id: string; userId: string; amount: number }[] = [];
  settledBy = new Map<string, SettleResult[]>();
  granted = new Map<string, number>();
  captured = new Map<string, number>();
  add(map: Map<string, number>, userId: string, n: number) {
    map.set(userId, (map.get(userId) ?? 0) + n);
  }
}

async function runStep(step: Step, client: number, users: string[], model: Model) {
  const api = client % 2 === 0 ? "ledger" : "plain";
  const grant = (p: Parameters<typeof grantCredits>[1]) => (api === "ledger" ? ledger.grantCredits(p) : grantCredits(db, p));
  const reserve = (p: Parameters<typeof reserveCredits>[1]) => (api === "ledger" ? ledger.reserveCredits(p) : reserveCredits(db, p));
  const settle = async (kind: "capture" | "release", reservationId: string, userId: string, actualAmount: number) => {
    const params = { reservationId, userId: client % 4 < 2 ? userId : undefined, actualAmount };
    if (kind === "capture") return api === "ledger" ? ledger.captureReservation(params) : captureReservation(db, params);
    return api === "ledger" ? ledger.releaseReservation(params) : releaseReservation(db, params);
  };
  const record = (r: SettleResult) => {
    model.settledBy.set(r.reservation.id, [...(model.settledBy.get(r.reservation.id) ?? []), r]);
    if (r.settled) model.add(model.captured, r.reservation.userId, r.captured);
  };
  const userOf = (account: number) => users[account] ?? "";

  switch (step.kind) {
    case "grant": {
      const params = { userId: userOf(step.account), amount: step.amount, reason: "prop", subject: { type: "admin_grant" as const, id: `c${client}` }, key: randomUUID() };
      const result = await grant(params);
      model.add(model.granted, params.userId, step.amount);
      model.calls.push({ kind: "grant", params, result });
      return;
    }
    case "reserve": {
      const params = { userId: userOf(step.account), amount: step.amount, subject: { type: "session" as const, id: randomUUID() }, key: randomUUID() };
      try {
        const result = await reserve(params);
        model.reservations.push({ id: result.reservation.id, userId: params.userId, amount: step.amount });
        model.calls.push({ kind: "reserve", params, result });
      } catch (err) {
        if (!isDomainError(err) || err.code !== "INSUFFICIENT_CREDITS") throw err;
      }
      return;
    }
    case "capture":
    case "release": {
      // Mostly recent reservations, so settlements of one reservation race each other.
      const n = model.reservations.length;
      const r = model.reservations[step.pick % 4 === 0 ? step.pick % Math.max(n, 1) : n - 1 - (step.pick % Math.min(Math.max(n, 1), CLIENTS))];
      if (!r) return;
      const actual = step.kind === "capture" ? Math.floor(step.fraction * r.amount) : 0;
      record(await settle(step.kind, r.id, r.userId, actual));
      return;
    }
    case "replay":
    case "conflict": {
      const call = model.calls[step.pick % Math.max(model.calls.length, 1)];
      if (!call) return;
      const amount = call.params.amount + (step.kind === "conflict" ? 1 : 0);
      const outcome = await (call.kind === "grant" ? grant({ ...call.params, amount }) : reserve({ ...call.params, amount })).then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      if (step.kind === "conflict") {
        expect(outcome.ok ? "resolved" : isDomainError(outcome.e) && outcome.e.code).toBe("CONFLICT");
      } else {
        if (!outcome.ok) throw outcome.e;
        expect(outcome.v.replayed).toBe(true);
        if (call.kind === "grant" && outcome.v.kind === "grant") expect(outcome.v.entry.id).toBe(call.result.entry.id);
        if (call.kind === "reserve" && outcome.v.kind === "reserve") expect(outcome.v.reservation.id).toBe(call.result.reservation.id);
      }
      return;
    }
  }
}

async function checkRound(users: string[], model: Model) {
  expect(await auditLedger(db, { userIds: users })).toEqual([]);
  for (const userId of users) {
    const { balance } = await getBalance(db, { userId });
    expect(balance).toBe((model.granted.get(userId) ?? 0) - (model.captured.get(userId) ?? 0));
  }
  for (const r of model.reservations) {
    const results = model.settledBy.get(r.id) ?? [];
    const winners = results.filter((s) => s.settled);
    expect(winners.length).toBeLessThanOrEqual(1);
    for (const loser of results.filter((s) => !s.settled)) expect(loser.moved).toBe(0);
    if (winners[0]) expect(winners[0].moved).toBe(r.amount);
  }
}

describe("credit ledger under concurrency (property)", () => {
  it(
    `${CLIENTS} clients, ${ROUNDS * OPS_PER_ROUND} random ops: balance = Σ entries, 0 ≤ held ≤ balance, held = Σ open holds, settled at most once`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: ROUNDS * OPS_PER_ROUND, maxLength: ROUNDS * OPS_PER_ROUND }), async (steps) => {
          const users = await createTestUsers(db, ACCOUNTS);
          const model = new Model();
          for (const userId of users) {
            await grantCredits(db, { userId, amount: 500, reason: "start", subject: { type: "seed", id: "prop" }, key: "start" });
            model.add(model.granted, userId, 500);
          }
          for (let round = 0; round < ROUNDS; round++) {
            const slice = steps.slice(round * OPS_PER_ROUND, (round + 1) * OPS_PER_ROUND);
            await Promise.all(
              Array.from({ length: CLIENTS }, async (_, client) => {
                for (let i = client; i < slice.length; i += CLIENTS) {
                  const step = slice[i];
                  if (step) await runStep(step, client, users, model);
                }
              }),
            );
            await checkRound(users, model);
          }
          const settledOnce = [...model.settledBy.values()].filter((rs) => rs.some((r) => r.settled)).length;
          expect(settledOnce).toBeGreaterThan(model.reservations.length / 4);
        }),
        { numRuns: 1, endOnFailure: true },
      );
    },
    120_000,
  );
});
