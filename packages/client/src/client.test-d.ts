import type { AppRouter as ServerRouter } from "@spellcast/api";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";

import type { SpellcastClient, TerminalSession } from "./index";

type ServerInputs = inferRouterInputs<ServerRouter>;
type ServerOutputs = inferRouterOutputs<ServerRouter>;
declare const spellcast: SpellcastClient;

describe("@spellcast/client types follow the server router", () => {
  it("procedures take the router's inputs and return its outputs", () => {
    expectTypeOf(spellcast.trpc.generations.create.mutate).parameter(0).toEqualTypeOf<ServerInputs["generations"]["create"]>();
    expectTypeOf(spellcast.trpc.generations.get.query).returns.resolves.toEqualTypeOf<ServerOutputs["generations"]["get"]>();
    expectTypeOf(spellcast.trpc.credits.balance.query).returns.resolves.toEqualTypeOf<ServerOutputs["credits"]["balance"]>();
    expectTypeOf(spellcast.trpc.datasets.list.query).returns.resolves.toEqualTypeOf<ServerOutputs["datasets"]["list"]>();
    expectTypeOf(spellcast.trpc.events.stream.subscribe).parameter(0).toEqualTypeOf<ServerInputs["events"]["stream"]>();
  });

  it("wrong inputs are type errors", () => {
    // @ts-expect-error prompt is a string
    void spellcast.trpc.generations.create.mutate({ prompt: 1, clientKey: "abcdefgh" });
    // @ts-expect-error clientKey is required on the raw procedure
    void spellcast.trpc.generations.create.mutate({ prompt: "a fox" });
    // @ts-expect-error unknown size
    void spellcast.generate({ prompt: "a fox", params: { size: "1x1" } });
    // @ts-expect-error get takes { id }
    void spellcast.trpc.generations.get.query({ sessionId: "x" });
    // @ts-expect-error no such procedure
    void spellcast.trpc.generations.remove;
  });

  it("helpers are typed end to end", () => {
    expectTypeOf(spellcast.generate).parameter(0).toHaveProperty("prompt").toEqualTypeOf<string>();
    expectTypeOf(spellcast.generate).returns.resolves.toEqualTypeOf<ServerOutputs["generations"]["create"]>();
    expectTypeOf(spellcast.generate).toBeCallableWith({ prompt: "a fox" });
    expectTypeOf(spellcast.waitFor).returns.resolves.toEqualTypeOf<TerminalSession>();
    expectTypeOf<TerminalSession["status"]>().toEqualTypeOf<"completed" | "failed" | "canceled">();
    expectTypeOf<NonNullable<TerminalSession["errorDetails"]>["refundedCredits"]>().toEqualTypeOf<number>();
  });
});
