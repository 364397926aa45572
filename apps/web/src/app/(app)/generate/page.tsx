import type { Metadata } from "next";

import { GenerateWorkspace } from "~/components/generate-workspace";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "Generate" };
export const dynamic = "force-dynamic";

/** `?session=` opens that generation's details (the credits page links its charges here). */
export default async function GeneratePage({ searchParams }: { searchParams: Promise<{ session?: string | string[] }> }) {
  const { session } = await searchParams;
  return (
    <div className="stack">
      <PageHeader title="Generate" lead="Turn a prompt into an image. Cards update live as jobs run, and a failed job shows the provider's reason and your refund." />
      <GenerateWorkspace openFirst={typeof session === "string" ? session : null} />
    </div>
  );
}
