import { describe, expect, it } from "vitest";

import { generatedImageFileName } from "./image-file-name";

const id = "1a2b3c4d-0000-4000-8000-000000000000";

describe("generatedImageFileName", () => {
  it("names the image after its prompt's words and the session id's first 8 characters", () => {
    expect(generatedImageFileName({ id, prompt: "A quiet harbour at dawn, watercolour" })).toBe("a-quiet-harbour-at-dawn-watercolour-1a2b3c4d.png");
  });

  it("keeps plain ASCII: accents dropped, quotes, slashes and other marks become separators", () => {
    expect(generatedImageFileName({ id, prompt: 'Café "Noël" / 50% off; rm -rf ..\\' })).toBe("cafe-noel-50-off-rm-rf-1a2b3c4d.png");
  });

  it("stops at a whole word within 60 characters; a single long word is cut", () => {
    const name = generatedImageFileName({ id, prompt: "lighthouse ".repeat(20) });
    expect(name).toBe(`${Array(5).fill("lighthouse").join("-")}-1a2b3c4d.png`);
    expect(generatedImageFileName({ id, prompt: "x".repeat(100) })).toBe(`${"x".repeat(60)}-1a2b3c4d.png`);
  });

  it("a prompt without ASCII letters or digits is an image", () => {
    expect(generatedImageFileName({ id, prompt: "夜の港 🌙" })).toBe("image-1a2b3c4d.png");
  });
});
