import { useQuery } from "@tanstack/react-query";

import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { useTRPC } from "~/trpc/react";

/** The dataset's name and the image's file name a cast on a dataset image read, for its page to name them. */
export interface CastImageNames {
  datasetName: string;
  /** Null once the image was removed from its dataset. */
  fileName: string | null;
}

/**
 * Reads the cast's dataset and, with the same call, its image (a page of one starting at its
 * index). Undefined while loading, and for a cast that read no dataset image.
 */
export function useCastImage(cast: CastSnapshot | undefined): CastImageNames | undefined {
  const trpc = useTRPC();
  const datasetId = cast?.datasetId ?? null;
  const index = cast?.imageIndex ?? null;
  const page = useQuery(
    trpc.datasets.get.queryOptions(
      { id: datasetId ?? "", cursor: index !== null && index > 0 ? index - 1 : undefined, limit: 1 },
      { enabled: datasetId !== null && index !== null, staleTime: 60_000 },
    ),
  );
  if (!page.data || !cast) return undefined;
  const image = page.data.images[0];
  return { datasetName: page.data.dataset.name, fileName: image && image.id === cast.imageId ? image.fileName : null };
}
