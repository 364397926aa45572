import { describe, expect, it } from "vitest";

import { formatAge } from "./format-age";

describe("formatAge", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it("names the largest whole unit", () => {
    expect(formatAge(ago(20_000), now)).toBe("just now");
    expect(formatAge(ago(60_000), now)).toBe("1 minute ago");
    expect(formatAge(ago(59 * 60_000), now)).toBe("59 minutes ago");
    expect(formatAge(ago(2.5 * 3_600_000), now)).toBe("2 hours ago");
    expect(formatAge(ago(25 * 3_600_000), now)).toBe("yesterday");
    expect(formatAge(ago(3 * 86_400_000), now)).toBe("3 days ago");
  });

  it("a clock a little behind the server's reads as just now, not in the future", () => {
    expect(formatAge(new Date(now.getTime() + 5_000), now)).toBe("just now");
  });
});
