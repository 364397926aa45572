import type { Metadata } from "next";

import { ComingSoon } from "~/components/coming-soon";
import { PageHeader } from "~/components/page-header";
import { RequireAdmin } from "~/components/require-admin";

export const metadata: Metadata = { title: "Admin" };

export default function AdminPage() {
  return (
    <RequireAdmin>
      <PageHeader title="Admin" lead="Operate Spellcast: queues, users and credit grants." />
      <ComingSoon>
        Admin tools are on their way. The queue dashboard lives at <a href="/admin/queues">/admin/queues</a> once it is
        mounted.
      </ComingSoon>
    </RequireAdmin>
  );
}
