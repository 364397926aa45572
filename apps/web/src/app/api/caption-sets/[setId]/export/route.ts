import { serveCaptionExport } from "@spellcast/api";

import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A caption set as a zip of `.txt` sidecars or as JSONL, to its owner only; others get 404. */
export async function GET(req: Request, { params }: { params: Promise<{ setId: string }> }) {
  const { setId } = await params;
  return serveCaptionExport(services().apiDeps, req, { setId });
}
