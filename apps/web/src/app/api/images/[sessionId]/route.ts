import { createContext } from "@spellcast/api";
import { getSessionImageKey, isDomainError } from "@spellcast/core";

import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const notFound = () => new Response("Not found", { status: 404, headers: { "cache-control": "no-store" } });

/**
 * A generated image, to its owner only: the caller is resolved from the session cookie or a bearer
 * key by the same code as tRPC; another user's id answers 404 exactly like a missing one.
 */
export async function GET(req: Request, { params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  const { apiDeps, storage, logger } = services();
  const caller = await createContext(apiDeps, req.headers)
    .getCaller()
    .catch(() => null);
  if (!caller) return new Response("Sign in or send an API key", { status: 401, headers: { "cache-control": "no-store" } });
  if (!UUID.test(sessionId)) return notFound();

  let key: string;
  try {
    key = await getSessionImageKey(apiDeps.db, { userId: caller.id, sessionId });
  } catch (err) {
    if (isDomainError(err) && err.code === "NOT_FOUND") return notFound();
    throw err;
  }
  const bytes = await storage.get(key);
  if (!bytes) {
    logger.error({ userId: caller.id, sessionId, key }, "image.missing");
    return notFound();
  }
  return new Response(new Blob([new Uint8Array(bytes)]).stream(), {
    headers: {
      "content-type": "image/png",
      "content-length": String(bytes.byteLength),
      // One id, one image, forever; private so shared caches never keep another user's image.
      "cache-control": "private, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
    },
  });
}
