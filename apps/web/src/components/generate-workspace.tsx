"use client";

import { useState } from "react";

import { GenerateForm } from "./generate-form";
import { GenerationHistory } from "./generation-history";
import type { GenerationSettings } from "./generation-settings";

/**
 * The Generate form above the history. "Use these settings" in a generation's details starts the
 * form over with them: a new key mounts a fresh form, so nothing half-typed is merged in.
 */
export function GenerateWorkspace({ openFirst }: { openFirst: string | null }) {
  const [reuse, setReuse] = useState<{ count: number; settings: GenerationSettings } | null>(null);
  return (
    <>
      <section className="card" aria-label="New generation">
        <GenerateForm key={reuse?.count ?? 0} initial={reuse?.settings} />
      </section>
      <GenerationHistory openFirst={openFirst} onReuse={(settings) => setReuse((prev) => ({ count: (prev?.count ?? 0) + 1, settings }))} />
    </>
  );
}
