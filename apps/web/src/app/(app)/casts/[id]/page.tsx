import type { Metadata } from "next";

import { CastView } from "~/components/cast-view";

export const metadata: Metadata = { title: "Cast" };
export const dynamic = "force-dynamic";

/** One cast, live from the event stream; another user's id reads as not found. */
export default async function CastPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CastView castId={id} />;
}
