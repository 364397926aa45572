import type { Metadata } from "next";

import { CreditsPanel } from "~/components/credits-panel";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "Credits" };

export default function CreditsPage() {
  return (
    <>
      <PageHeader title="Credits" lead="Your balance, what is held by running jobs, and where every credit went." />
      <CreditsPanel />
    </>
  );
}
