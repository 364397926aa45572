import type { Metadata } from "next";

import { ComingSoon } from "~/components/coming-soon";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "Spells" };

export default function SpellsPage() {
  return (
    <>
      <PageHeader title="Spells" lead="Chain tools (JoyCaption, rewrite, ChatGPT, Seedream) into a spell and cast it over a dataset." />
      <ComingSoon>Spell building and casting are on their way.</ComingSoon>
    </>
  );
}
