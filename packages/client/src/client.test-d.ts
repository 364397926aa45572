import type { AppRouter as ServerRouter } from "@spellcast/api";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";

import type { CaptionProgress, SpellcastClient, TerminalCast, TerminalSession } from "./index";

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

  it("castSpell takes casts.create's input and resolves with the ended cast", () => {
    expectTypeOf(spellcast.castSpell).parameter(0).toEqualTypeOf<ServerInputs["casts"]["create"]>();
    expectTypeOf(spellcast.castSpell).returns.resolves.toEqualTypeOf<TerminalCast>();
    expectTypeOf<TerminalCast>().toExtend<ServerOutputs["casts"]["get"]>();
    expectTypeOf<TerminalCast["status"]>().toEqualTypeOf<"completed" | "failed" | "canceled">();
    expectTypeOf<NonNullable<TerminalCast["errorDetails"]>["failedStep"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Extract<NonNullable<TerminalCast["output"]>, { kind: "text" }>["text"]>().toEqualTypeOf<string>();
    expectTypeOf(spellcast.castSpell).toBeCallableWith({ spellId: "s", input: { kind: "text", text: "a fox" } });
    expectTypeOf(spellcast.castSpell).toBeCallableWith({ spellId: "s", input: { kind: "image", datasetId: "d", imageId: "i" } }, { timeoutMs: 1000 });
    expectTypeOf(spellcast.castSpell).toBeCallableWith({ spellId: "s", input: { kind: "text", text: "a fox" }, clientKey: "retry_key_1" });
    expectTypeOf(spellcast.castSpell).parameter(0).toHaveProperty("clientKey").toEqualTypeOf<string | undefined>();
    expectTypeOf(spellcast.trpc.casts.create.mutate).toBeCallableWith({ spellId: "s", input: { kind: "text", text: "a fox" } });
    // @ts-expect-error clientKey is a string
    void spellcast.castSpell({ spellId: "s", input: { kind: "text", text: "a fox" }, clientKey: 42 });
    // @ts-expect-error text input has no image id
    void spellcast.castSpell({ spellId: "s", input: { kind: "text", imageId: "i" } });
    // @ts-expect-error an image input needs its dataset
    void spellcast.castSpell({ spellId: "s", input: { kind: "image", imageId: "i" } });
    // @ts-expect-error unknown input kind
    void spellcast.castSpell({ spellId: "s", input: { kind: "video", url: "x" } });
    // @ts-expect-error spellId is required
    void spellcast.castSpell({ input: { kind: "text", text: "a fox" } });
  });

  it("cancelCast takes a cast id and resolves with casts.cancel's output (the cast)", () => {
    expectTypeOf(spellcast.cancelCast).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(spellcast.cancelCast).returns.resolves.toEqualTypeOf<ServerOutputs["casts"]["cancel"]>();
    expectTypeOf<ServerOutputs["casts"]["cancel"]>().toEqualTypeOf<ServerOutputs["casts"]["get"]>();
    expectTypeOf(spellcast.trpc.casts.cancel.mutate).parameter(0).toEqualTypeOf<ServerInputs["casts"]["cancel"]>();
    expectTypeOf<ServerInputs["casts"]["cancel"]>().toEqualTypeOf<{ id: string }>();
    // @ts-expect-error cancelCast takes the cast id itself
    void spellcast.cancelCast({ id: "c" });
    // @ts-expect-error casts.cancel takes { id }, not { castId }
    void spellcast.trpc.casts.cancel.mutate({ castId: "c" });
  });

  it("startCaptionRun takes captions.start's input and yields progress snapshots", () => {
    expectTypeOf(spellcast.startCaptionRun).parameter(0).toEqualTypeOf<ServerInputs["captions"]["start"]>();
    expectTypeOf(spellcast.startCaptionRun).returns.resolves.toHaveProperty("set").toEqualTypeOf<ServerOutputs["captions"]["start"]>();
    expectTypeOf(spellcast.startCaptionRun).returns.resolves.toHaveProperty("progress").toEqualTypeOf<AsyncIterable<CaptionProgress>>();
    expectTypeOf<CaptionProgress>().toEqualTypeOf<{
      done: number;
      failed: number;
      total: number;
      spent: number;
      status: "in_progress" | "paused" | "completed" | "completed_with_errors" | "canceled";
    }>();
    expectTypeOf(spellcast.startCaptionRun).toBeCallableWith({ datasetId: "d", spellId: "s" });
    expectTypeOf(spellcast.startCaptionRun).toBeCallableWith({ datasetId: "d", spellId: "s", budget: 50 });
    // @ts-expect-error budget is a number of credits
    void spellcast.startCaptionRun({ datasetId: "d", spellId: "s", budget: "50" });
    // @ts-expect-error datasetId is required
    void spellcast.startCaptionRun({ spellId: "s" });
  });
});
