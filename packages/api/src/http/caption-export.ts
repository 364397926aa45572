import { exportCaptionSet } from "@spellcast/core";

import type { ApiDeps } from "../context";
import { createContext } from "../context";
import { HttpError, httpErrorResponse } from "./http-error";

/**
 * `GET /api/caption-sets/:setId/export?format=zip|jsonl`, owner only (session cookie or bearer
 * API key; someone else's set is a 404). zip: one `.txt` sidecar per captioned image, named like
 * the image; jsonl: `{ "file_name", "text" }` per line.
 */
export async function serveCaptionExport(deps: ApiDeps, req: Request, params: { setId: string }): Promise<Response> {
  try {
    const format = new URL(req.url).searchParams.get("format") ?? "zip";
    if (format !== "zip" && format !== "jsonl") throw new HttpError(400, "Unknown export format: use zip or jsonl");
    const caller = await createContext(deps, req.headers).getCaller();
    if (!caller) throw new HttpError(401, "Sign in or send an API key");
    const file = await exportCaptionSet(deps.db, { userId: caller.id, setId: params.setId, format });
    deps.logger.info({ userId: caller.id, setId: params.setId, format, captions: file.count }, "captions.exported");
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        "content-type": file.contentType,
        "content-length": String(file.bytes.byteLength),
        "content-disposition": `attachment; filename="${file.fileName}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    return httpErrorResponse(err, deps.logger, { route: "captions.export", setId: params.setId });
  }
}
