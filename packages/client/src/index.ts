export { createSpellcastClient } from "./create-client.js";
export type { EventSourceConstructor, SpellcastClient, SpellcastClientOptions, SpellcastTRPCClient } from "./create-client.js";
export type { CaptionRun, CaptionRunOptions } from "./caption-run.js";
export type { CastSpellOptions } from "./cast-spell.js";
export { SpellcastUploadError } from "./upload-images.js";
export type { UploadedImage, UploadFileInput, UploadImagesOptions, UploadImagesResult } from "./upload-images.js";
export { isFatalClientError, WaitForTimeoutError } from "./follow-events.js";
export type { LogEvent, SessionEvent, StreamEvent, StreamItem } from "./follow-events.js";
export type { WaitForOptions } from "./wait-for.js";
export { finalCaptionStatuses, isFinalCaptionStatus, isTerminal, isTerminalCast, terminalCastStatuses, terminalStatuses } from "./types.js";
export type {
  AppRouter,
  CaptionProgress,
  CaptionRunInput,
  CaptionSet,
  CaptionSetStatus,
  Cast,
  CastSpellInput,
  CastStatus,
  ErrorDetails,
  FinalCaptionStatus,
  GenerateInput,
  RouterInputs,
  RouterOutputs,
  Session,
  SessionStatus,
  TerminalCast,
  TerminalCastStatus,
  TerminalSession,
  TerminalStatus,
} from "./types.js";
export { TRPCClientError } from "@trpc/client";
