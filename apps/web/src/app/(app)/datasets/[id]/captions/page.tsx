import type { Metadata } from "next";

import { CaptionSetView } from "~/components/caption-set-view";

export const metadata: Metadata = { title: "Captions" };
export const dynamic = "force-dynamic";

/** A caption run of the dataset (`?set=`), or its newest run, filling live. */
export default async function CaptionsPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ set?: string | string[] }>;
}) {
  const { id } = await params;
  const { set } = await searchParams;
  return <CaptionSetView datasetId={id} setId={typeof set === "string" ? set : null} />;
}
