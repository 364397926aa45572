import { describe, expect, it } from "vitest";

import { rewriteCaption } from "./caption-rewrite";
import { bulkCaptionEditSchema } from "./schema";

const replace = (find: string, by: string) => bulkCaptionEditSchema.parse({ kind: "replace", find, replace: by });
const prefix = (word: string) => bulkCaptionEditSchema.parse({ kind: "prefix", word });

describe("rewriteCaption (the one rule the bulk edit preview and the bulk edit share)", () => {
  it("replaces every occurrence, case-sensitively; no occurrence is no change", () => {
    expect(rewriteCaption(replace("cat", "dog"), "a cat and a cat")).toBe("a dog and a dog");
    expect(rewriteCaption(replace("cat", "dog"), "a Cat")).toBeNull();
  });

  it("never blanks a caption, and a result equal to the text once trimmed is no change", () => {
    expect(rewriteCaption(replace("a cat", ""), "a cat")).toBeNull();
    expect(rewriteCaption(replace("cat", "cat "), "a cat")).toBeNull();
    expect(rewriteCaption(replace(" cat", ""), "a cat sits")).toBe("a sits");
  });

  it("prefixes the trigger word (trimmed by the schema) unless the caption starts with it", () => {
    expect(rewriteCaption(prefix("  sks "), "a cat")).toBe("sks, a cat");
    expect(rewriteCaption(prefix("sks"), "sks, a cat")).toBeNull();
  });
});
