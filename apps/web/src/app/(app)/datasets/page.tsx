import type { Metadata } from "next";

import { DatasetsPanel } from "~/components/datasets-panel";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "Datasets" };

export default function DatasetsPage() {
  return (
    <>
      <PageHeader title="Datasets" lead="Upload folders of images to caption in bulk, then edit and export the caption sets." />
      <DatasetsPanel />
    </>
  );
}
