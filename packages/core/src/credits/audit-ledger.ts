import { sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";

/**
 * Checks the ledger invariants (DESIGN.md invariants 1 and 2) and returns what it finds wrong,
 * at most 100 lines; empty means sound. Each check is one statement, so it reads one consistent
 * snapshot and may run while the ledger is busy. For the sweeper, the tests and the bench.
 */
export async function auditLedger(db: DbOrTx, params: { userIds?: readonly string[] } = {}): Promise<string[]> {
  const ids = params.userIds ? JSON.stringify(params.userIds) : null;
  const scope = (alias: string) =>
    ids === null ? sql`true` : sql`${sql.raw(alias)}.user_id in (select jsonb_array_elements_text(${ids}::jsonb))`;
  const checks = [
    // balance = Σ amount, held = Σ held_delta, and the last entry's running figures agree.
    sql`
      select 'account ' || a.user_id || ': balance ' || a.balance || ' held ' || a.held ||
             ' but entries sum to ' || coalesce(e.amount, 0) || ' / ' || coalesce(e.held, 0) ||
             ', last entry says ' || coalesce(l.balance_after, 0) || ' / ' || coalesce(l.held_after, 0) as problem
      from credit_accounts a
      left join (select user_id, sum(amount) amount, sum(held_delta) held from ledger_entries x where ${scope("x")}
                 group by user_id) e on e.user_id = a.user_id
      left join lateral (select balance_after, held_after from ledger_entries x where x.user_id = a.user_id
                         order by id desc limit 1) l on true
      where ${scope("a")}
        and (a.balance <> coalesce(e.amount, 0) or a.held <> coalesce(e.held, 0)
             or a.balance <> coalesce(l.balance_after, 0) or a.held <> coalesce(l.held_after, 0))`,
    // 0 ≤ held ≤ balance, and held = Σ open reservations.
    sql`
      select 'account ' || a.user_id || ': held ' || a.held || ', balance ' || a.balance ||
             ', open reservations ' || coalesce(r.amount, 0) as problem
      from credit_accounts a
      left join (select user_id, sum(amount) amount from reservations x where status = 'held' and ${scope("x")}
                 group by user_id) r on r.user_id = a.user_id
      where ${scope("a")} and (a.held < 0 or a.held > a.balance or a.held <> coalesce(r.amount, 0))`,
    // Each reservation: one reserve entry, settled at most once, entries match its figures.
    sql`
      select 'reservation ' || r.id || ' (' || r.status || ' ' || r.amount || '/' || r.captured || '/' ||
             r.released || '): entries reserve ' || coalesce(e.reserves, 0) || ' capture ' ||
             coalesce(e.captures, 0) || ' release ' || coalesce(e.releases, 0) || ' held ' ||
             coalesce(e.held, 0) || ' amount ' || coalesce(e.amount, 0) as problem
      from reservations r
      left join (select reservation_id, count(*) filter (where kind = 'reserve') reserves,
                        count(*) filter (where kind = 'capture') captures,
                        count(*) filter (where kind = 'release') releases,
                        sum(held_delta) held, sum(amount) amount
                 from ledger_entries x where reservation_id is not null and ${scope("x")}
                 group by reservation_id) e on e.reservation_id = r.id
      where ${scope("r")} and not (
        coalesce(e.reserves, 0) = 1 and coalesce(e.captures, 0) <= 1 and coalesce(e.releases, 0) <= 1
        and coalesce(e.amount, 0) = -r.captured
        and case r.status
              when 'held' then coalesce(e.captures, 0) + coalesce(e.releases, 0) = 0 and e.held = r.amount
              when 'captured' then e.captures = 1 and e.held = 0 and r.captured + r.released = r.amount
              when 'released' then e.captures = 0 and e.releases = 1 and e.held = 0 and r.released = r.amount
            end)`,
  ];
  const problems: string[] = [];
  for (const check of checks) {
    const rows = await db.execute<{ problem: string }>(sql`${check} limit 100`);
    problems.push(...rows.map((r) => r.problem));
  }
  return problems.slice(0, 100);
}
