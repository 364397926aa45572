export type { AppRouter } from "./root";
export { appRouter } from "./root";
export { createContext } from "./context";
export type { ApiDeps, Context } from "./context";
export { createCallerFactory } from "./trpc";
export { checkHealth, healthReportSchema } from "./health/check-health";
export { healthResponse } from "./health/health-response";
export type { HealthReport } from "./health/check-health";
