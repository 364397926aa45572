export * from "./admin-grant";
export * from "./audit-ledger";
export * from "./create-ledger";
export * from "./credit-request-schema";
export { createCreditRequest, listCreditRequests, listOpenCreditRequests, withdrawCreditRequest } from "./credit-requests";
export { declineCreditRequest, grantCreditRequest } from "./decide-credit-request";
export * from "./ensure-account";
export * from "./expire-holds";
export * from "./ledger-subjects";
export { grantCredits, grantCreditsInTx } from "./grant-credits";
export * from "./read-credits";
export { DEFAULT_HOLD_MS, reserveCredits, reserveCreditsInTx } from "./reserve-credits";
export * from "./schema";
export * from "./starting-credits";
export {
  captureReservation,
  captureReservationInTx,
  releaseReservation,
  releaseReservationInTx,
} from "./settle-reservation";
export type * from "./types";
