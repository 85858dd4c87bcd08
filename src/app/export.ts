/**
 * `export`: the decrypted pairs of an env file (or a selection of them) in a
 * deploy target's shape, for stdout only; or an age-encrypted bundle of them
 * that `import --bundle` reads back.
 */
import { randomBytes } from "node:crypto";
import { EXPORT_FORMATS, ExportError, type ExportFormat, K8S_NAMESPACE_RE, K8S_NAME_RE, type Pair, encodeDotenv, encodeGithubEnv, encodeJson, encodeK8sSecret, encodeShell } from "../core/exportformat.js";
import { UsageError, VaultError } from "../errors.js";
import { audited } from "./audit.js";
import type { Context } from "./context.js";
import { type DecryptRequest, decryptSelection } from "./run.js";

export interface ExportRequest extends DecryptRequest {
  readonly format?: string | undefined;
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  /** Encrypt the pairs to these recipients instead (a bundle). */
  readonly bundleRecipients?: readonly string[] | undefined;
}

/** What a bundle holds once decrypted: the pairs in order, and where they came from (names only). */
export interface BundlePayload {
  readonly format: "git-vault-bundle/1";
  readonly env: string | null;
  readonly pairs: [string, string][];
}

/** The bundle's payload tag. */
export const BUNDLE_FORMAT = "git-vault-bundle/1";

function checkFormat(format: string): ExportFormat {
  if ((EXPORT_FORMATS as readonly string[]).includes(format)) return format as ExportFormat;
  throw new UsageError(`unknown --format "${format}"`, `formats: ${EXPORT_FORMATS.join(", ")}`);
}

/** The exported text: the formatted pairs, or an ASCII-armored age bundle. */
export async function exportSecrets(ctx: Context, request: ExportRequest): Promise<string> {
  const format = checkFormat(request.format ?? "dotenv");
  const bundle = request.bundleRecipients;
  if (bundle !== undefined) {
    if (request.format !== undefined) throw new UsageError("--bundle cannot be combined with --format", "a bundle holds the pairs themselves; `import --bundle` reads it");
    const { isValidRecipient } = await import("../crypto/index.js");
    if (bundle.length === 0) throw new UsageError("--bundle needs at least one --recipient age1…", "e.g. the recipient of the machine that imports it (`git vault keys show` there)");
    const bad = bundle.findIndex((r) => !isValidRecipient(r));
    if (bad !== -1) throw new UsageError(`--recipient number ${bad + 1} is not an age X25519 recipient (age1…)`);
  } else if (format !== "k8s" && (request.name !== undefined || request.namespace !== undefined)) {
    throw new UsageError("--name and --namespace are for --format k8s");
  }
  if (request.name !== undefined && !K8S_NAME_RE.test(request.name)) throw new UsageError("--name must be a Kubernetes object name (lowercase letters, digits, '-', '.')");
  if (request.namespace !== undefined && !K8S_NAMESPACE_RE.test(request.namespace)) throw new UsageError("--namespace must be a Kubernetes namespace name (lowercase letters, digits, '-')");

  const { target, values } = await audited(ctx, "export", (note) => decryptSelection(ctx, request, note));
  const pairs: Pair[] = [...values].map(([k, v]) => [k, v.value.reveal()]);
  if (bundle !== undefined) {
    const payload: BundlePayload = { format: BUNDLE_FORMAT, env: target.envName, pairs: pairs.map(([k, v]) => [k, v]) };
    const { armorFile, encryptFile } = await import("../crypto/index.js");
    return armorFile(await encryptFile(bundle, Buffer.from(JSON.stringify(payload), "utf8")));
  }
  try {
    switch (format) {
      case "dotenv":
        return encodeDotenv(pairs);
      case "json":
        return encodeJson(pairs);
      case "shell":
        return encodeShell(pairs);
      case "k8s":
        return encodeK8sSecret(pairs, { name: request.name ?? defaultSecretName(target.envName), namespace: request.namespace });
      case "github":
        return encodeGithubEnv(pairs, () => `ghadelimiter_${randomBytes(16).toString("hex")}`);
    }
  } catch (error) {
    if (!(error instanceof ExportError)) throw error;
    const where = values.get(error.key)?.where ?? error.key;
    throw new VaultError("unexportable", `cannot export as ${format}: ${where}: ${error.reason}`, { hint: "leave it out with --only KEY,KEY, or choose another --format (json holds any value)" });
  }
}

/** `secrets-ENV` as a Kubernetes name (`secrets` for a bare --file). */
function defaultSecretName(envName: string | null): string {
  const slug = (envName ?? "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return slug === "" ? "secrets" : `secrets-${slug}`.slice(0, 253).replace(/-+$/, "");
}
