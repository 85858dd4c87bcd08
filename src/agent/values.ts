/**
 * `run`'s values from a running agent (issue 13; the CLI hands this to app/run.ts): the agent's textconv answer
 * for the file, read back into values. Used only where it was measured to
 * help (docs/performance.md, "The agent"), only for the identity the caller
 * would use itself, and never trusted beyond what can be checked: any
 * problem (no agent, a pass, a cut answer, a marker, a value that does not
 * read back exactly, a file that changed meanwhile) returns null and the
 * caller decrypts locally, which also gives the errors their usual words.
 */
import { existsSync } from "node:fs";
import { askAgent } from "./client.js";
import { agentSocketPath } from "./paths.js";
import { decodeRawValue, encodeRawValue } from "../core/dotenv.js";
import { type Assignment, type EnvFile, assignments, parseEnvFile } from "../core/envfile.js";
import { Secret } from "../core/secret.js";
import { looksEncrypted } from "../core/value.js";
import type { Identity } from "../keys/identity.js";
import { isMarker } from "../app/textconv.js";

/** Identity sources the agent may stand in for: a file it can compare by path. `--identity-file` and GIT_VAULT_IDENTITY are the caller's own. */
const DELEGABLE = new Set(["env-file", "file"]);

/** How long an agent may take before `run` decrypts locally instead. */
const AGENT_TIMEOUT_MS = 5000;

/**
 * The plaintext of each encrypted assignment of `file` (read from `path`),
 * by assignment, as the agent holding `identity` decrypts it; null when the
 * agent cannot stand in.
 */
export async function valuesFromAgent(env: NodeJS.ProcessEnv, path: string, file: EnvFile, identity: Identity): Promise<Map<Assignment, Secret> | null> {
  const identityFile = identity.source.path;
  if (!DELEGABLE.has(identity.source.kind) || identityFile === null) return null;
  try {
    const socket = agentSocketPath(env);
    if (!existsSync(socket)) return null;
    // The agent answers only when it holds this very file (protocol.ts), so it never lends another identity.
    // `run` writes its own audit entry for these values: the agent adds none.
    const answer = await askAgent(socket, "textconv", AGENT_TIMEOUT_MS, { file: path, "identity-file": identityFile, audit: "caller" });
    if (answer?.kind !== "ok") return null;
    return readBack(file, parseEnvFile(answer.body.toString("utf8")));
  } catch {
    return null;
  }
}

/** Pairs the file's assignments with the answer's; null unless every one reads back as a value. */
function readBack(file: EnvFile, shown: EnvFile): Map<Assignment, Secret> | null {
  const mine = assignments(file);
  const theirs = assignments(shown);
  if (mine.length !== theirs.length) return null;
  const values = new Map<Assignment, Secret>();
  for (const [i, a] of mine.entries()) {
    const b = theirs[i];
    if (b === undefined || b.key !== a.key) return null;
    if (!looksEncrypted(a.value)) {
      if (b.rawValue !== a.rawValue) return null; // the file changed since it was read
      continue;
    }
    // A marker, or text that does not stand for exactly one value, is left to local decryption.
    if (isMarker(b.rawValue)) return null;
    const plain = shownValue(b.rawValue);
    if (plain === null) return null;
    values.set(a, new Secret(plain));
  }
  return values;
}

/**
 * The value textconv's text stands for, or null when it stands for none or
 * for two. textconv writes encodeRawValue(value), or JSON.stringify(value)
 * for a value dotenv syntax cannot hold (app/textconv.ts, FORMAT.md §12);
 * the two can print the same text for different values (`"a'b\"c`#"`),
 * and guessing would hand the child the wrong secret.
 */
function shownValue(raw: string): string | null {
  const asDotenv = decodeRawValue(raw);
  const dotenvFits = encoded(asDotenv) === raw;
  let asJson: unknown = null;
  try {
    asJson = JSON.parse(raw);
  } catch {
    // not JSON
  }
  const jsonFits = typeof asJson === "string" && encoded(asJson) === null && JSON.stringify(asJson) === raw;
  if (dotenvFits === jsonFits) return null;
  return dotenvFits ? asDotenv : (asJson as string);
}

/** encodeRawValue's text for a value, or null when dotenv syntax cannot hold it. */
function encoded(value: string): string | null {
  try {
    return encodeRawValue(value);
  } catch {
    return null;
  }
}
