import type { Metadata } from "next";

import { DatasetView } from "~/components/dataset-view";
import { env } from "~/env";

export const metadata: Metadata = { title: "Dataset" };
export const dynamic = "force-dynamic";

/** The dataset's grid and upload zone; the limits shown and pre-checked come from the server's settings. */
export default async function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { MAX_UPLOAD_BYTES, MAX_DATASET_IMAGES } = env();
  return <DatasetView datasetId={id} maxUploadBytes={MAX_UPLOAD_BYTES} maxImages={MAX_DATASET_IMAGES} />;
}
