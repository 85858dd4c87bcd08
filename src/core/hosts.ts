/** Host names and addresses: which ones are this machine only. */
import { isIP } from "node:net";

/** Whether a host name or address is this machine only (`localhost`, 127.0.0.0/8, `::1`). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1";
}
