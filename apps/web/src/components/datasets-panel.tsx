"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { CreateDatasetForm } from "./create-dataset-form";
import { DatasetList } from "./dataset-list";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";

export function DatasetsPanel() {
  const trpc = useTRPC();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  return (
    <div className="stack">
      <section className="card" aria-labelledby="create-dataset-title">
        <h2 className="card__title" id="create-dataset-title">
          New dataset
        </h2>
        <p className="card__lead">A named folder of images. You can add more images to it at any time.</p>
        <CreateDatasetForm />
      </section>
      <section className="card" aria-labelledby="datasets-title">
        <h2 className="card__title" id="datasets-title">
          Your datasets
        </h2>
        {datasets.isPending ? (
          <div aria-busy="true">
            <p className="visually-hidden" role="status">
              Loading datasets…
            </p>
            <div className="skeleton-line" />
            <div className="skeleton-line" style={{ width: "60%" }} />
          </div>
        ) : datasets.isError ? (
          <FormAlert message={`Could not load your datasets: ${toUserMessage(datasets.error)}`} />
        ) : (
          <DatasetList datasets={datasets.data} />
        )}
      </section>
    </div>
  );
}
