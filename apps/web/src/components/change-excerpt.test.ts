import { describe, expect, it } from "vitest";

import { changeExcerpt } from "./change-excerpt";

describe("changeExcerpt", () => {
  it("splits a replacement into the shared text around it and what changed on each side", () => {
    expect(changeExcerpt("a cat on a sofa", "a kitten on a sofa")).toEqual({
      before: { lead: "a ", changed: "cat", trail: " on a sofa" },
      after: { lead: "a ", changed: "kitten", trail: " on a sofa" },
    });
  });

  it("a prefix changes nothing of the old text: its changed part is empty", () => {
    expect(changeExcerpt("a cat", "sks, a cat")).toEqual({
      before: { lead: "", changed: "", trail: "a cat" },
      after: { lead: "", changed: "sks, ", trail: "a cat" },
    });
    // Even when the caption starts with the word's first letter.
    expect(changeExcerpt("sunny day", "sks, sunny day").after).toEqual({ lead: "", changed: "sks, ", trail: "sunny day" });
  });

  it("cuts long shared text to the context each side, and a long changed part in its middle", () => {
    const lead = "x".repeat(50);
    const trail = "y".repeat(50);
    const { before, after } = changeExcerpt(`${lead}cat${trail}`, `${lead}dog${trail}`, 5);
    expect(before).toEqual({ lead: "…xxxxx", changed: "cat", trail: "yyyyy…" });
    expect(after.changed).toBe("dog");
    expect(changeExcerpt("ab", `a${"z".repeat(30)}b`, 5, 10).after.changed).toBe("zzzzz … zzzzz");
  });

  it("never splits an emoji (counts code points)", () => {
    expect(changeExcerpt("a 🐱 cat", "a 🐶 cat")).toEqual({
      before: { lead: "a ", changed: "🐱", trail: " cat" },
      after: { lead: "a ", changed: "🐶", trail: " cat" },
    });
  });
});
