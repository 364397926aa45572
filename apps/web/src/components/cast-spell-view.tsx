"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "~/trpc/react";

import { Breadcrumbs } from "./breadcrumbs";
import { CastForm } from "./cast-form";
import { CastList } from "./cast-list";
import { toUserMessage } from "./error-message";
import { PageHeader } from "./page-header";

/** Cast one spell: its chain, the input form with the cost, and its recent casts. */
export function CastSpellView({ spellId }: { spellId: string }) {
  const trpc = useTRPC();
  const spells = useQuery(trpc.spells.list.queryOptions());
  const spell = spells.data?.find((s) => s.id === spellId);
  const back = <Breadcrumbs items={[{ href: "/spells", label: "Spells" }]} />;

  if (spells.isPending) return <div className="skeleton-line" aria-busy="true" />;
  if (!spell) {
    return (
      <>
        {back}
        <section className="card empty-state" data-testid="spell-not-found">
          <p className="empty-state__title">{spells.isError ? "The spells could not be loaded" : "Spell not found"}</p>
          <p>{spells.isError ? toUserMessage(spells.error) : "It may have been deleted, or it is not one of yours."}</p>
          <Link href="/spells" className="button">
            Back to spells
          </Link>
        </section>
      </>
    );
  }
  return (
    <>
      {back}
      <PageHeader
        title={`Cast “${spell.name}”`}
        lead={`${spell.steps.map((s) => s.tool).join(" → ")} · takes ${spell.input === "image" ? "an image" : "text"}, gives ${spell.output === "image" ? "an image" : "text"}`}
      />
      <div className="stack">
        <section className="card" aria-label="New cast">
          <CastForm spell={spell} />
        </section>
        <CastList title="Recent casts of this spell" spellId={spell.id} />
      </div>
    </>
  );
}
