const NUMBER = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** "1,000". */
export function formatNumber(n: number): string {
  return NUMBER.format(n);
}

/** "1 credit", "1,000 credits". */
export function formatCredits(n: number): string {
  return `${NUMBER.format(n)} ${Math.abs(n) === 1 ? "credit" : "credits"}`;
}

/** A ledger movement with its sign: "+250", "−30", "0". */
export function formatSigned(n: number): string {
  if (n > 0) return `+${NUMBER.format(n)}`;
  if (n < 0) return `−${NUMBER.format(-n)}`;
  return "0";
}
