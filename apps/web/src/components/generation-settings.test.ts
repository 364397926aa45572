import { describe, expect, it } from "vitest";

import { generationSettingsOf } from "./generation-settings";

describe("generationSettingsOf", () => {
  it("reads the prompt, size and seed a generation was asked for", () => {
    expect(generationSettingsOf({ prompt: "A harbour", params: { prompt: "A harbour", size: "768x768", seed: 1234 } })).toEqual({
      prompt: "A harbour",
      size: "768x768",
      seed: 1234,
    });
  });

  it("no seed set reads as null (random), and so does a value the form would refuse", () => {
    expect(generationSettingsOf({ prompt: "p", params: { size: "512x512" } }).seed).toBeNull();
    expect(generationSettingsOf({ prompt: "p", params: { size: "512x512", seed: -1 } }).seed).toBeNull();
    expect(generationSettingsOf({ prompt: "p", params: { size: "512x512", seed: "42" } }).seed).toBeNull();
  });

  it("a size Generate does not offer (or none) reads as null", () => {
    expect(generationSettingsOf({ prompt: "p", params: { size: "333x333" } }).size).toBeNull();
    expect(generationSettingsOf({ prompt: "p", params: {} }).size).toBeNull();
  });
});
