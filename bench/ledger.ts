import { randomBytes, randomUUID } from "node:crypto";

import type { Database } from "@spellcast/db";
import { createDb, dropDatabase, migrateDatabase, users } from "@spellcast/db";
import type { CaptureReservationInput, ReserveCreditsInput } from "@spellcast/core";
import {
  auditLedger,
  captureReservation,
  createLedger,
  grantCredits,
  MAX_CREDIT_AMOUNT,
  reserveCredits,
} from "@spellcast/core";

// Reserve + capture pairs per second from 64 concurrent clients, on one hot account and on 64
// accounts, through the group-commit ledger (createLedger) and, as the baseline, through the
// plain one-transaction-per-call functions, all against a throwaway database; then the ledger
// audit over everything written (violations must be 0).

const CLIENTS = 64;
const DURATION_MS = Number(process.env.BENCH_LEDGER_MS ?? 6000);
const WARMUP_MS = 1000;

interface Ops {
  reserve: (p: ReserveCreditsInput) => Promise<{ reservation: { id: string } }>;
  capture: (p: CaptureReservationInput) => Promise<{ settled: boolean; moved: number }>;
}

interface RunResult {
  pairsPerSec: number;
  pairs: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function runPairs(ops: Ops, accountOf: (client: number) => string, durationMs: number): Promise<RunResult> {
  const latencies: number[] = [];
  let errors = 0;
  let counting = false;
  let pairs = 0;
  const stopAt = Date.now() + WARMUP_MS + durationMs;
  setTimeout(() => (counting = true), WARMUP_MS).unref();
  let started = 0;
  const client = async (c: number) => {
    const userId = accountOf(c);
    while (Date.now() < stopAt) {
      const t0 = performance.now();
      try {
        const amount = 1 + Math.floor(Math.random() * 10);
        const subject = { type: "session" as const, id: randomUUID() };
        const { reservation } = await ops.reserve({ userId, amount, subject, key: subject.id });
        const actualAmount = Math.floor(Math.random() * (amount + 1));
        const settled = await ops.capture({ reservationId: reservation.id, userId, actualAmount });
        if (!settled.settled || (settled.moved !== amount && settled.moved !== -1)) errors++;
      } catch (err) {
        errors++;
        if (errors <= 3) console.error("bench error:", err);
      }
      if (counting) {
        if (started === 0) started = performance.now();
        pairs++;
        latencies.push(performance.now() - t0);
      }
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  const elapsed = Date.now() - t0 - WARMUP_MS;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 10) / 10;
  return { pairsPerSec: Math.round((pairs / elapsed) * 1000), pairs, p50Ms: pct(0.5), p99Ms: pct(0.99), errors };
}

async function fundedUsers(db: Database, n: number, tag: string): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `bench_${tag}_${i}_${randomUUID().slice(0, 8)}`);
  await db.insert(users).values(ids.map((id) => ({ id, name: id, email: `${id}@bench.spellcast` })));
  for (const userId of ids) {
    await grantCredits(db, {
      userId,
      amount: MAX_CREDIT_AMOUNT,
      reason: "bench funds",
      subject: { type: "seed", id: "bench" },
      key: "bench-funds",
    });
  }
  return ids;
}

export async function runLedgerBench(): Promise<Record<string, unknown>> {
  const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/spellcast");
  url.pathname = `/spellcast_bench_${randomBytes(4).toString("hex")}`;
  const databaseUrl = url.toString();
  await migrateDatabase(databaseUrl);
  const batchedDb = createDb(databaseUrl, { max: 8, appName: "bench-ledger" });
  const naiveDb = createDb(databaseUrl, { max: CLIENTS, appName: "bench-ledger-naive" });
  try {
    const [hot] = await fundedUsers(batchedDb.db, 1, "hot");
    const spread = await fundedUsers(batchedDb.db, CLIENTS, "spread");
    const [naiveHot] = await fundedUsers(batchedDb.db, 1, "naivehot");
    const naiveSpread = await fundedUsers(batchedDb.db, CLIENTS, "naivespread");
    if (!hot || !naiveHot) throw new Error("bench: no users");
    const pick = (ids: string[]) => (c: number) => ids[c % ids.length] ?? "";

    const ledger = createLedger(batchedDb.db);
    const batched: Ops = { reserve: ledger.reserveCredits, capture: ledger.captureReservation };
    const naive: Ops = {
      reserve: (p) => reserveCredits(naiveDb.db, p),
      capture: (p) => captureReservation(naiveDb.db, p),
    };
    const report = (label: string, r: RunResult) =>
      console.log(`${label.padEnd(16)} ${String(r.pairsPerSec).padStart(6)} pairs/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  (${r.pairs} pairs, ${r.errors} errors)`);

    // Calibration, the figure: a bare transaction of two guarded UPDATEs on one row (no
    // ledger rows, no events), 64 connections. Its account is left out of the audit.
    const [bareUser] = await fundedUsers(batchedDb.db, 1, "bare");
    const bare = bareUser ?? "";
    const bareRun = await runPairs(
      {
        reserve: async (p) => {
          await naiveDb.sql.begin(async (t) => {
            const held = await t`update credit_accounts set held = held + ${p.amount}
              where user_id = ${bare} and balance - held >= ${p.amount} returning 1`;
            if (held.length !== 1) throw new Error("bare: insufficient");
            await t`update credit_accounts set balance = balance - ${p.amount}, held = held - ${p.amount}
              where user_id = ${bare}`;
          });
          return { reservation: { id: "" } };
        },
        capture: async () => ({ settled: true, moved: -1 }),
      },
      () => bare,
      DURATION_MS,
    );
    report("bare 2×UPDATE", bareRun);
    const naiveHotRun = await runPairs(naive, () => naiveHot, DURATION_MS);
    report("naive hot", naiveHotRun);
    const hotRun = await runPairs(batched, () => hot, DURATION_MS);
    report("batched hot", hotRun);
    const naiveSpreadRun = await runPairs(naive, pick(naiveSpread), DURATION_MS);
    report("naive spread", naiveSpreadRun);
    const spreadRun = await runPairs(batched, pick(spread), DURATION_MS);
    report("batched spread", spreadRun);
    await ledger.drain();

    const audited = [hot, ...spread, naiveHot, ...naiveSpread];
    const problems = await auditLedger(batchedDb.db, { userIds: audited });
    for (const p of problems.slice(0, 10)) console.log(`violation: ${p}`);
    const errors = hotRun.errors + spreadRun.errors + naiveHotRun.errors + naiveSpreadRun.errors;
    const ratio = (a: number, b: number) => Math.round((a / Math.max(b, 1)) * 10) / 10;
    return {
      ledger: {
        hotPairsPerSec: hotRun.pairsPerSec,
        spreadPairsPerSec: spreadRun.pairsPerSec,
        violations: problems.length,
        errors,
        naiveHotPairsPerSec: naiveHotRun.pairsPerSec,
        bareTwoUpdateHotPairsPerSec: bareRun.pairsPerSec,
        naiveSpreadPairsPerSec: naiveSpreadRun.pairsPerSec,
        hotSpeedup: ratio(hotRun.pairsPerSec, naiveHotRun.pairsPerSec),
        spreadSpeedup: ratio(spreadRun.pairsPerSec, naiveSpreadRun.pairsPerSec),
        hotP99Ms: hotRun.p99Ms,
        naiveHotP99Ms: naiveHotRun.p99Ms,
        clients: CLIENTS,
        secondsPerRun: DURATION_MS / 1000,
      },
    };
  } finally {
    await Promise.all([batchedDb.close(), naiveDb.close()]);
    await dropDatabase(databaseUrl);
  }
}
