import { uploadDatasetImages } from "@spellcast/api";

import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Uploads images into a dataset: `multipart/form-data`, one file field per image, with a session
 * cookie or `Authorization: Bearer <API key>`. Answers `{ added, rejected: [{ name, reason }] }`.
 */
export async function POST(req: Request, { params }: { params: Promise<{ datasetId: string }> }) {
  const { datasetId } = await params;
  const { apiDeps, config } = services();
  return uploadDatasetImages(apiDeps, req, {
    datasetId,
    limits: { maxUploadBytes: config.MAX_UPLOAD_BYTES, maxImages: config.MAX_DATASET_IMAGES },
  });
}
