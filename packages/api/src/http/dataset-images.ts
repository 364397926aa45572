import type { DatasetLimits } from "@spellcast/core";
import { addImagesToDataset, getDatasetSummary, getImageFile, imageVariantSchema } from "@spellcast/core";

import type { ApiDeps } from "../context";
import { createContext } from "../context";
import { HttpError, httpErrorResponse } from "./http-error";
import { readUploadForm } from "./read-upload-form";

/** The same caller resolution as tRPC: session cookie, or `Authorization: Bearer <API key>`. */
async function requireCaller(deps: ApiDeps, req: Request) {
  const caller = await createContext(deps, req.headers).getCaller();
  if (!caller) throw new HttpError(401, "Sign in or send an API key");
  return caller;
}

/**
 * `POST /api/datasets/:datasetId/images`: multipart upload → 200 `{ added, rejected }`, where each
 * rejected file carries its name and the reason. Request-level problems are 4xx `{ error }`.
 */
export async function uploadDatasetImages(
  deps: ApiDeps,
  req: Request,
  params: { datasetId: string; limits: DatasetLimits },
): Promise<Response> {
  try {
    const caller = await requireCaller(deps, req);
    // Ownership first: someone else's dataset is a 404 before a byte of the body is read.
    await getDatasetSummary(deps.db, { userId: caller.id, datasetId: params.datasetId });
    const form = await readUploadForm(req, params.limits.maxUploadBytes);
    const result = await addImagesToDataset(deps.db, deps.storage, {
      userId: caller.id,
      datasetId: params.datasetId,
      ...form,
      limits: params.limits,
    });
    deps.logger.info(
      { userId: caller.id, datasetId: params.datasetId, firstIndex: form.firstIndex, added: result.added.length, rejected: result.rejected.length },
      "dataset.images.uploaded",
    );
    return Response.json(result, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return httpErrorResponse(err, deps.logger, { route: "dataset.upload", datasetId: params.datasetId });
  }
}

/** `GET /api/datasets/:datasetId/images/:imageId/:variant` (original | thumb), owner only. */
export async function serveDatasetImage(
  deps: ApiDeps,
  req: Request,
  params: { datasetId: string; imageId: string; variant: string },
): Promise<Response> {
  try {
    const variant = imageVariantSchema.safeParse(params.variant);
    if (!variant.success) throw new HttpError(404, "Unknown image variant: use original or thumb");
    const caller = await requireCaller(deps, req);
    const file = await getImageFile(deps.db, deps.storage, {
      userId: caller.id,
      datasetId: params.datasetId,
      imageId: params.imageId,
      variant: variant.data,
    });
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        "content-type": file.contentType,
        "content-length": String(file.bytes.byteLength),
        "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        // An image id's bytes never change; only its owner may read them.
        "cache-control": "private, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    return httpErrorResponse(err, deps.logger, { route: "dataset.image", datasetId: params.datasetId });
  }
}
