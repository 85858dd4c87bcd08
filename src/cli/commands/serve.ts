import { Command, Option } from "clipanion";
import { UsageError } from "../../errors.js";
import { VaultCommand } from "../base.js";

/** A positive whole number from an option, or a usage error naming the option. */
function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw new UsageError(`${flag} takes a positive whole number`);
  return Number(text);
}

export class ServeCommand extends VaultCommand {
  static override paths = [["serve"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "serve a scoped HTTP JSON API over the vault for services and automated agents",
    details: `
      Answers \`GET /v1/secrets/ENV\` (keys, masked), \`GET /v1/secrets/ENV/KEY\`, \`POST /v1/secrets/ENV/KEY:reveal\`, \`PUT\` and \`DELETE /v1/secrets/ENV/KEY\`, \`POST /v1/token/refresh\` and \`GET /v1/health\`, to bearer tokens made with \`git vault token issue\`. Listens on loopback (127.0.0.1:7583) unless told otherwise; any address that is not loopback or a unix socket needs \`--tls-cert\` and \`--tls-key\`. Runs until SIGINT or SIGTERM. Every request goes to the audit log; reveals ask the policy hook first. See docs/serve.md.
    `,
    examples: [
      ["Serve the vault of this repository on loopback", "git vault serve"],
      ["On a unix socket", "git vault serve --listen unix:/run/git-vault/serve.sock"],
      ["On the network, with TLS", "git vault serve --listen 10.0.0.5:7583 --tls-cert cert.pem --tls-key key.pem"],
    ],
  });
  listen = Option.String("--listen", { description: "unix:PATH or HOST:PORT (default 127.0.0.1:7583; port 0 picks a free one)" });
  tlsCert = Option.String("--tls-cert", { description: "PEM certificate (chain) for HTTPS" });
  tlsKey = Option.String("--tls-key", { description: "PEM private key for HTTPS" });
  vaultDir = Option.String("--vault-dir", { description: "Vault folder (default: vault/ at the repository root)" });
  identityFile = Option.String("--identity-file,-i", { description: "age identity file the server decrypts with" });
  revealLimit = Option.String("--reveal-limit", { description: "Reveals per token per minute (default 120)" });
  writeLimit = Option.String("--write-limit", { description: "Writes (PUT, DELETE) per token per minute (default 60)" });
  bodyLimit = Option.String("--body-limit", { description: "Largest request body in bytes (default 65536)" });
  requestTimeout = Option.String("--request-timeout", { description: "Seconds a client has to send a request (default 10)" });
  maxConnections = Option.String("--max-connections", { description: "Concurrent connections (default 256)" });
  json = Option.Boolean("--json", false, { description: "Print the address as JSON" });

  async execute(): Promise<number> {
    const { serve } = await import("../../server/index.js");
    return serve(this.context, this.context.signals, {
      vaultDir: this.vaultDir,
      identityFile: this.identityFile,
      listen: this.listen,
      tlsCert: this.tlsCert,
      tlsKey: this.tlsKey,
      requestTimeoutMs: positive("--request-timeout", this.requestTimeout, 10) * 1000,
      maxConnections: positive("--max-connections", this.maxConnections, 256),
      limits: {
        revealMax: positive("--reveal-limit", this.revealLimit, 120),
        writeMax: positive("--write-limit", this.writeLimit, 60),
        bodyLimit: positive("--body-limit", this.bodyLimit, 65536),
      },
      json: this.json,
    });
  }
}
