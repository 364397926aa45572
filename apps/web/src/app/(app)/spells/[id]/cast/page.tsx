import type { Metadata } from "next";

import { CastSpellView } from "~/components/cast-spell-view";

export const metadata: Metadata = { title: "Cast a spell" };
export const dynamic = "force-dynamic";

/** Cast one spell on a text or an image, with the cost shown before submit. */
export default async function CastSpellPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CastSpellView spellId={id} />;
}
