import { serveGenerationImage } from "@spellcast/api";

import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A generated image, to its owner only (others get 404); `?download=1` sends it as an attachment. */
export async function GET(req: Request, { params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  return serveGenerationImage(services().apiDeps, req, { sessionId });
}
