export { createSpellcastClient } from "./create-client.js";
export type { EventSourceConstructor, SpellcastClient, SpellcastClientOptions, SpellcastTRPCClient } from "./create-client.js";
export { SpellcastUploadError } from "./upload-images.js";
export type { UploadedImage, UploadFileInput, UploadImagesResult } from "./upload-images.js";
export { isFatalClientError, WaitForTimeoutError } from "./wait-for.js";
export type { SessionEvent, StreamEvent, StreamItem, WaitForOptions } from "./wait-for.js";
export { isTerminal, terminalStatuses } from "./types.js";
export type {
  AppRouter,
  ErrorDetails,
  GenerateInput,
  RouterInputs,
  RouterOutputs,
  Session,
  SessionStatus,
  TerminalSession,
  TerminalStatus,
} from "./types.js";
export { TRPCClientError } from "@trpc/client";
