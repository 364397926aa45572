import { z } from "zod";

import { getSessionImage } from "@spellcast/core";

import type { ApiDeps } from "../context";
import { createContext } from "../context";
import { HttpError, httpErrorResponse } from "./http-error";

/** `?download=1` asks for the file as an attachment; without it the image shows inline. */
const downloadSchema = z.enum(["1"]).nullable();

/**
 * `GET /api/images/:sessionId[?download=1]`: a generated PNG, to its owner only (session cookie or
 * bearer API key, resolved as tRPC does); another user's id is a 404 exactly like a missing one.
 * With `download=1` it comes as an attachment named after its prompt.
 */
export async function serveGenerationImage(deps: ApiDeps, req: Request, params: { sessionId: string }): Promise<Response> {
  try {
    const download = downloadSchema.safeParse(new URL(req.url).searchParams.get("download"));
    if (!download.success) throw new HttpError(400, "Use download=1, or leave it out to show the image");
    const caller = await createContext(deps, req.headers).getCaller();
    if (!caller) throw new HttpError(401, "Sign in or send an API key");
    // Not a session id: the same 404 as an unknown one, rather than a database error.
    if (!z.string().uuid().safeParse(params.sessionId).success) throw new HttpError(404, "Not found");
    const image = await getSessionImage(deps.db, { userId: caller.id, sessionId: params.sessionId });
    const bytes = await deps.storage.get(image.storageKey);
    if (!bytes) {
      deps.logger.error({ userId: caller.id, sessionId: params.sessionId, key: image.storageKey }, "image.missing");
      throw new HttpError(404, "Not found");
    }
    return new Response(new Uint8Array(bytes), {
      headers: {
        "content-type": "image/png",
        "content-length": String(bytes.byteLength),
        "content-disposition": `${download.data ? "attachment" : "inline"}; filename="${image.fileName}"`,
        // One id, one image, forever; private so shared caches never keep another user's image.
        "cache-control": "private, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    const res = httpErrorResponse(err, deps.logger, { route: "generation.image", sessionId: params.sessionId });
    // An image that is not there yet may be soon (its generation still running): never cache the refusal.
    res.headers.set("cache-control", "no-store");
    return res;
  }
}
