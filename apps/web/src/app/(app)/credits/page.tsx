import type { Metadata } from "next";

import { ComingSoon } from "~/components/coming-soon";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "Credits" };

export default function CreditsPage() {
  return (
    <>
      <PageHeader title="Credits" lead="Your balance, what is held by running jobs, and where every credit went." />
      <ComingSoon>Credit history and open holds are on their way.</ComingSoon>
    </>
  );
}
