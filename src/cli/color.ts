/**
 * Whether output may be coloured: never with NO_COLOR, always with
 * FORCE_COLOR (not 0), else only on a terminal that is not "dumb". Kept free
 * of imports so the start-up fast path can use it.
 */
export function shouldColor(env: Record<string, string | undefined>, isTTY: boolean | undefined): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  return isTTY === true && env["TERM"] !== "dumb";
}
