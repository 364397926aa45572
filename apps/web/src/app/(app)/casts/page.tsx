import type { Metadata } from "next";

import { CastList } from "~/components/cast-list";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "Casts" };

export default function CastsPage() {
  return (
    <>
      <PageHeader title="Casts" lead="Every spell you cast on one text or image, newest first. Each updates live; open one to follow its steps." />
      <CastList title="Recent casts" />
    </>
  );
}
