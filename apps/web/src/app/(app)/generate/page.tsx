import type { Metadata } from "next";

import { GenerateForm } from "~/components/generate-form";
import { GenerationHistory } from "~/components/generation-history";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "Generate" };
export const dynamic = "force-dynamic";

/** `?session=` opens that generation's details (the credits page links its charges here). */
export default async function GeneratePage({ searchParams }: { searchParams: Promise<{ session?: string | string[] }> }) {
  const { session } = await searchParams;
  return (
    <div className="stack">
      <PageHeader title="Generate" lead="Turn a prompt into an image. Cards update live as jobs run, and a failed job shows the provider's reason and your refund." />
      <section className="card" aria-label="New generation">
        <GenerateForm />
      </section>
      <GenerationHistory openFirst={typeof session === "string" ? session : null} />
    </div>
  );
}
