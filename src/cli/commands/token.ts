import { Command, Option } from "clipanion";
import { UsageError } from "../../errors.js";
import { VaultCommand, vaultDirOption } from "../base.js";
import { printJson, say, table } from "../ui.js";

export class TokenIssueCommand extends VaultCommand {
  static override paths = [["token", "issue"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "issue a scoped token for `git vault serve` into a folder (never printed)",
    details: `
      Writes \`DIR/access.token\` and a rotating \`DIR/refresh.token\` (mode 0600, the folder 0700) and \`DIR/session.json\` (name and env, not secret). The server keeps only their hashes. Scopes: \`read\` (list and show keys, masked), \`reveal\` (values), \`write\` (set and remove); several with commas. \`--keys\` patterns use \`*\` and \`?\`. Issuing a name again revokes its earlier token. \`--reveal-once KEY\` makes a token that reveals that one key one time, without a refresh token.
    `,
    examples: [
      ["A deploy bot that may read DEPLOY_* values of prod for an hour at a time", "git vault token issue --name deploy-bot --env prod --keys 'DEPLOY_*' --scope reveal --ttl 1h --refresh-ttl 30d --out /etc/deploy-bot/vault"],
      ["An agent that may list and write, not reveal", "git vault token issue --name agent --keys '*' --scope read,write --ttl 15m --out ~/.agent-token"],
      ["One value, one time", "git vault token issue --name handover --env prod --reveal-once DB_PASSWORD --ttl 10m --out ./once"],
    ],
  });
  name = Option.String("--name", { required: true, description: "Token name (shown in the audit log and `token list`)" });
  env = Option.String("--env,-e", { description: "Env the token may use (default: dev)" });
  keys = Option.String("--keys", { description: "Comma-separated key patterns (DEPLOY_*,DB_URL)" });
  scope = Option.String("--scope", { description: "read, reveal, write (comma-separated)" });
  ttl = Option.String("--ttl", { required: true, description: "Access token lifetime: 90s, 15m, 1h, 2d" });
  refreshTtl = Option.String("--refresh-ttl", { description: "Lifetime of the session's refresh tokens (default 30d); none with --reveal-once" });
  revealOnce = Option.String("--reveal-once", { description: "Reveal this one key one time" });
  out = Option.String("--out", { required: true, description: "Folder for the token files" });
  vaultDir = vaultDirOption();
  json = Option.Boolean("--json", false, { description: "Print what was issued as JSON (no tokens)" });

  async execute(): Promise<number> {
    const { parseScopes, parseTokenTtl } = await import("../../core/tokens.js");
    const { issueToken } = await import("../../app/tokens.js");
    const ttlMs = parseTokenTtl(this.ttl);
    if (ttlMs === null) throw new UsageError("--ttl takes a duration like 90s, 15m, 1h or 2d");
    const refreshTtlMs = parseTokenTtl(this.refreshTtl ?? "30d");
    if (refreshTtlMs === null) throw new UsageError("--refresh-ttl takes a duration like 1h or 30d");
    if (this.revealOnce !== undefined && (this.keys !== undefined || this.scope !== undefined)) throw new UsageError("--reveal-once names its one key: leave out --keys and --scope");
    if (this.revealOnce === undefined && (this.keys === undefined || this.scope === undefined)) throw new UsageError("--keys and --scope are needed (or --reveal-once KEY)");
    const scopes = this.scope === undefined ? ["reveal" as const] : parseScopes(this.scope);
    if (scopes === null) throw new UsageError("--scope takes read, reveal or write (comma-separated)");
    const keys = (this.keys ?? "").split(",").map((k) => k.trim()).filter((k) => k !== "");
    const result = await issueToken(this.context, { vaultDir: this.vaultDir, name: this.name, env: this.env, keys, scopes, ttlMs, refreshTtlMs, outDir: this.out, revealOnce: this.revealOnce });
    if (this.json) printJson(this.context, result);
    else say(this.context, `issued ${result.name} for env ${result.env}: ${result.files.join(", ")} (access until ${result.accessExpires})`);
    return 0;
  }
}

export class TokenListCommand extends VaultCommand {
  static override paths = [["token", "list"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "list the tokens of `git vault serve` (names, scopes, expiry, last use; never tokens)",
    examples: [
      ["Tokens of this repository's vault", "git vault token list"],
      ["As JSON", "git vault token list --json"],
    ],
  });
  vaultDir = vaultDirOption();
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { listTokens } = await import("../../app/tokens.js");
    const rows = await listTokens(this.context, { vaultDir: this.vaultDir });
    if (this.json) printJson(this.context, { tokens: rows });
    else this.context.stdout.write(table(rows.map((r) => [r.name, r.env, r.scopes.join(","), r.keys.join(","), r.state, r.accessExpires, r.lastUsed ?? "never"])));
    return 0;
  }
}

export class TokenRevokeCommand extends VaultCommand {
  static override paths = [["token", "revoke"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "revoke a token: its access and refresh tokens stop working at once",
    examples: [
      ["Revoke the deploy bot's token", "git vault token revoke deploy-bot"],
      ["For another vault folder", "git vault token revoke agent --vault-dir ../ops/vault"],
    ],
  });
  name = Option.String({ required: true, name: "NAME" });
  vaultDir = vaultDirOption();

  async execute(): Promise<number> {
    const { revokeToken } = await import("../../app/tokens.js");
    await revokeToken(this.context, { vaultDir: this.vaultDir, name: this.name });
    say(this.context, `revoked ${this.name}`);
    return 0;
  }
}
