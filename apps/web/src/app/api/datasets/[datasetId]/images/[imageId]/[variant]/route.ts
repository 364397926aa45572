import { serveDatasetImage } from "@spellcast/api";

import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A dataset image (`original`) or its 256 px WebP (`thumb`), to its owner only; others get 404. */
export async function GET(
  req: Request,
  { params }: { params: Promise<{ datasetId: string; imageId: string; variant: string }> },
) {
  const { datasetId, imageId, variant } = await params;
  return serveDatasetImage(services().apiDeps, req, { datasetId, imageId, variant });
}
