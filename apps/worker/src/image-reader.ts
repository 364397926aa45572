import { createGroupCommit, findStoredImages, imageNotFound, readImageFile } from "@spellcast/core";
import type { ImageFile, ImageRef } from "@spellcast/core";
import type { Database } from "@spellcast/db";
import type { Storage } from "@spellcast/storage";

/** Dataset images for image steps (JoyCaption), owner-scoped. */
export interface ImageReader {
  read(ref: ImageRef): Promise<ImageFile>;
}

/**
 * The jobs one "mark running" batch wakes ask for their images together; their lookups go as one
 * statement (a caption run's first steps were one select each, a quarter of the run's statements).
 * Two batches may run at once: these are reads, nothing to serialise.
 */
export function createImageReader(db: Database, storage: Storage): ImageReader {
  const stored = createGroupCommit((refs: ImageRef[]) => findStoredImages(db, refs), { maxInFlight: 2 });
  return {
    async read(ref) {
      const image = await stored.submit(ref);
      if (!image) throw imageNotFound();
      return readImageFile(storage, image, "original");
    },
  };
}
