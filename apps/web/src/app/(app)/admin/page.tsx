import type { Metadata } from "next";
import Link from "next/link";

import { CreditRequestsQueue } from "~/components/credit-requests-queue";
import { PageHeader } from "~/components/page-header";
import { RequireAdmin } from "~/components/require-admin";

export const metadata: Metadata = { title: "Admin" };

export default function AdminPage() {
  return (
    <RequireAdmin>
      <PageHeader title="Admin" lead="Operate Spellcast: queues, failed generations, credit requests and grants." />
      <section className="stack" aria-label="Queues">
        <h2>Queues</h2>
        <p>
          {/* A route handler, not a page: a full navigation, not a client-side one. */}
          <a href="/admin/queues">Open the queue dashboard (Bull Board)</a>: jobs in every queue, including the
          dead-letter queue; retry, remove and inspect them.
        </p>
      </section>
      <section className="stack" aria-label="Dead letters">
        <h2>Dead letters</h2>
        <p>
          <Link href="/admin/dead-letters">Search failed generations</Link> by user, provider, status, message and date;
          read the provider&apos;s full answer; replay, edit and replay, or discard.
        </p>
      </section>
      <section className="stack" aria-labelledby="credit-requests-title">
        <h2 id="credit-requests-title">Credit requests</h2>
        <p className="muted">Users ask for credits on their Credits page. Grant each (it goes through their ledger) or decline it, with a note they read if you like.</p>
        {/* In a card, as every table is: it scrolls inside it on a phone rather than widen the page. */}
        <div className="card">
          <CreditRequestsQueue />
        </div>
      </section>
      <section className="stack" aria-label="Credit grants">
        <h2>Credit grants</h2>
        <p>
          <Link href="/credits#grant-title">Grant credits to any user by email</Link>: recorded in their history with
          you as the granting admin; a retried grant is applied once.
        </p>
      </section>
    </RequireAdmin>
  );
}
