import type { Metadata } from "next";

import { DeadLettersPanel } from "~/components/dead-letters-panel";
import { PageHeader } from "~/components/page-header";
import { RequireAdmin } from "~/components/require-admin";

export const metadata: Metadata = { title: "Dead letters" };

export default function DeadLettersPage() {
  return (
    <RequireAdmin>
      <PageHeader
        title="Dead letters"
        lead="Failed generations of every user: search them, read the provider's full answer, replay (a new charge on the user's account), or discard."
      />
      <DeadLettersPanel />
    </RequireAdmin>
  );
}
