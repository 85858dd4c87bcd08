import { Command, Option } from "clipanion";
import { VaultCommand } from "../base.js";
import { MASK, printJson } from "../ui.js";
import { parseOnly } from "./run.js";

const serverOption = () => Option.String("--server", { required: true, description: "http://HOST:PORT, https://HOST:PORT or unix:PATH of a `git vault serve`" });
const tokenDirOption = () => Option.String("--token-dir", { required: true, description: "Folder `git vault token issue --out` wrote (tokens are read from files only)" });
const envOption = () => Option.String("--env,-e", { description: "Env to read (default: the token's)" });

export class RemoteGetCommand extends VaultCommand {
  static override paths = [["remote", "get"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "read one key through `git vault serve` (masked unless --reveal), like `get`",
    details: `
      For services and automated agents that hold a token, not an identity. An expired access token is refreshed in place (both files rewritten); a session that cannot be refreshed fails with exit 1.
    `,
    examples: [
      ["Check the key is there", "git vault remote get DEPLOY_TOKEN --server http://127.0.0.1:7583 --token-dir ~/.vault-token"],
      ["Print the value", "git vault remote get DEPLOY_TOKEN --reveal --server unix:/run/git-vault/serve.sock --token-dir ~/.vault-token"],
    ],
  });
  key = Option.String({ required: true, name: "KEY" });
  reveal = Option.Boolean("--reveal", false, { description: "Print the plaintext value" });
  server = serverOption();
  tokenDir = tokenDirOption();
  env = envOption();
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { remoteGet } = await import("../../app/remote.js");
    const result = await remoteGet(this.context, { server: this.server, tokenDir: this.tokenDir, env: this.env, key: this.key, reveal: this.reveal });
    const shown = result.value === null ? MASK : result.value.reveal();
    if (this.json) printJson(this.context, { key: result.view.name, env: result.env, value: shown, revealed: this.reveal, state: result.view.state, fingerprint: result.view.fingerprint, lastChange: result.view.lastChange });
    else this.context.stdout.write(`${shown}\n`);
    return 0;
  }
}

export class RemoteRunCommand extends VaultCommand {
  static override paths = [["remote", "run"]];
  static override usage = Command.Usage({
    category: "Runtime",
    description: "run a command with secrets fetched from `git vault serve`, like `run`",
    details: `
      Lists the keys the token may see (or takes \`--only\`), reveals each through the API (the token needs the reveal scope), and starts the command as \`run\` does: no shell, values in its environment only, signals forwarded, its exit code returned.
    `,
    examples: [
      ["Deploy with the token's keys", "git vault remote run --server http://127.0.0.1:7583 --token-dir /etc/deploy/vault -- ./deploy.sh"],
      ["Two keys only", "git vault remote run --server unix:/run/git-vault/serve.sock --token-dir ~/.vault-token --only DB_URL,DB_PASSWORD -- ./migrate"],
    ],
  });
  server = serverOption();
  tokenDir = tokenDirOption();
  env = envOption();
  only = Option.Array("--only", { description: "Comma-separated keys to pass (default: all the token may see); may be repeated" });
  argv = Option.Rest({ required: 1, name: "COMMAND" });

  async execute(): Promise<number> {
    const { remoteRun } = await import("../../app/remote.js");
    return remoteRun(this.context, { server: this.server, tokenDir: this.tokenDir, env: this.env, argv: this.argv, only: parseOnly(this.only) }, this.context.signals);
  }
}
