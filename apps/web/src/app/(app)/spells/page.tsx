import type { Metadata } from "next";

import { PageHeader } from "~/components/page-header";
import { SpellsPanel } from "~/components/spells-panel";

export const metadata: Metadata = { title: "Spells" };

export default function SpellsPage() {
  return (
    <>
      <PageHeader title="Spells" lead="Chain tools (JoyCaption, rewrite, ChatGPT, Seedream) into a spell and cast it over a dataset." />
      <SpellsPanel />
    </>
  );
}
