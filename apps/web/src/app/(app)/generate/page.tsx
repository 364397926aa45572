import type { Metadata } from "next";

import { ComingSoon } from "~/components/coming-soon";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "Generate" };

export default function GeneratePage() {
  return (
    <>
      <PageHeader title="Generate" lead="Turn a prompt into an image. Cards update live as jobs run, and a failed job shows the provider's reason and your refund." />
      <ComingSoon>Prompt form, cost preview and live generation cards are on their way.</ComingSoon>
    </>
  );
}
