import { Command, Option } from "clipanion";
import type { AgentReply } from "../../agent/control.js";
import type { AgentStatus } from "../../agent/server.js";
import { formatDuration, parseDuration } from "../../core/duration.js";
import { UsageError } from "../../errors.js";
import { VaultCommand } from "../base.js";
import { printJson, say } from "../ui.js";

const MIB = 1024 * 1024;

/** `agent status` for people: counts and times, never content. */
function renderAgentStatus(s: AgentStatus): string {
  const cache = s.cache.maxBytes === 0 ? "off" : `${s.cache.entries} answer${s.cache.entries === 1 ? "" : "s"}, ${(s.cache.bytes / MIB).toFixed(1)} of ${s.cache.maxBytes / MIB} MiB (${s.cache.hits} hits, ${s.cache.misses} misses)`;
  return [
    `agent:     running (pid ${s.pid}) since ${s.startedAt}`,
    `socket:    ${s.socket}`,
    `identity:  ${s.locked ? "none: locked (`git vault agent start` loads it again)" : s.identity === null ? "none (its file is missing or unusable)" : `${s.identity} (${s.keys} key${s.keys === 1 ? "" : "s"})`}`,
    `timeout:   ${formatDuration(s.idleTimeoutSeconds)} idle (exits at ${s.exitsAt} unless asked before)`,
    `answered:  ${s.answered} textconv request${s.answered === 1 ? "" : "s"}`,
    `cache:     ${cache}`,
    "",
  ].join("\n");
}

function renderNotRunning(reply: Extract<AgentReply, { running: false }>): string {
  return `no agent is running${reply.staleSocket ? ` (a stale socket is left at ${reply.socket}; \`git vault agent start\` replaces it)` : ""}`;
}

export class AgentStartCommand extends VaultCommand {
  static override paths = [["agent", "start"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "start the agent: it holds your identity so `git log -p` needs no Node process per diff",
    details: `
      A per-user daemon (like ssh-agent) with the identity the CLI would use (same precedence: --identity-file, GIT_VAULT_IDENTITY, GIT_VAULT_IDENTITY_FILE, the identity file). \`git diff\` and \`git log -p\` reach it through the \`git-vault-textconv\` client that \`git vault install\` configures; without an agent they run \`git-vault textconv\` as before. It listens on a socket only you can open (\`$XDG_RUNTIME_DIR/git-vault/\`, else \`~/.cache/git-vault/agent/\`), writes nothing else to disk, keeps an answer cache in memory only, and exits after --timeout without a request. An agent that already runs is left alone (a locked one is replaced). See docs/performance.md and docs/threat-model.md.
    `,
    examples: [
      ["Start it for this session", "git vault agent start"],
      ["With a key kept elsewhere, for an hour, without a cache", "git vault agent start -i ~/keys/work.key --timeout 1h --cache-mib 0"],
    ],
  });
  identityFile = Option.String("--identity-file,-i", { description: "age identity file the agent holds (default: as every command finds it)" });
  timeout = Option.String("--timeout", { description: "exit after this long without a request (90s, 15m, 2h; default 15m)" });
  cacheMiB = Option.String("--cache-mib", { description: "most MiB of answers kept in memory (default 64; 0: no cache)" });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { DEFAULT_CACHE_MIB, DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, startAgent } = await import("../../agent/control.js");
    const timeoutSeconds = this.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : parseDuration(this.timeout, "--timeout");
    if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) throw new UsageError(`--timeout must be between 1s and ${formatDuration(MAX_TIMEOUT_SECONDS)}`);
    const cacheMiB = this.cacheMiB === undefined ? DEFAULT_CACHE_MIB : Number(this.cacheMiB);
    if (!/^\d+$/.test(this.cacheMiB ?? "0") || cacheMiB > 4096) throw new UsageError(`--cache-mib takes a whole number of MiB from 0 to 4096 (got "${this.cacheMiB ?? ""}")`);
    const result = await startAgent(this.context, { identityFile: this.identityFile, timeoutSeconds, cacheMiB });
    if (this.json) {
      printJson(this.context, result);
      return 0;
    }
    const s = result.status;
    if (!result.started) say(this.context, `an agent already runs (pid ${s.pid}, since ${s.startedAt}) with ${s.identity ?? "no identity"}; \`git vault agent stop\` first to change it`);
    else say(this.context, `agent started (pid ${s.pid}) with ${s.identity ?? "no identity"}; exits after ${formatDuration(s.idleTimeoutSeconds)} idle${result.replaced === "locked-agent" ? " (replaced the locked agent)" : result.replaced === "stale-socket" ? " (replaced a stale socket)" : ""}`);
    return 0;
  }
}

export class AgentStatusCommand extends VaultCommand {
  static override paths = [["agent", "status"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "tell whether the agent runs, since when, its timeout and what it caches (counts only)",
    details: "Exits 1 when no agent runs.",
    examples: [
      ["Is an agent running?", "git vault agent status"],
      ["For scripts", "git vault agent status --json"],
    ],
  });
  json = Option.Boolean("--json", false, { description: "Print JSON" });

  async execute(): Promise<number> {
    const { tellAgent } = await import("../../agent/control.js");
    const reply = await tellAgent(this.context, "status");
    if (this.json) printJson(this.context, reply);
    else if (reply.running) this.context.stdout.write(renderAgentStatus(reply.status));
    else this.context.stdout.write(`${renderNotRunning(reply)}\n`);
    return reply.running ? 0 : 1;
  }
}

/** `agent stop` and `agent lock`: one request, and what it found. */
abstract class AgentRequestCommand extends VaultCommand {
  json = Option.Boolean("--json", false, { description: "Print JSON" });
  protected abstract readonly verb: "stop" | "lock";
  protected abstract readonly done: string;

  async execute(): Promise<number> {
    const { tellAgent } = await import("../../agent/control.js");
    const reply = await tellAgent(this.context, this.verb);
    if (this.json) printJson(this.context, reply);
    else say(this.context, reply.running ? `${this.done} (pid ${reply.status.pid})` : renderNotRunning(reply));
    return 0;
  }
}

export class AgentStopCommand extends AgentRequestCommand {
  static override paths = [["agent", "stop"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "stop the agent: it drops the identity and every cached answer, and exits",
    details: "Exits 0 also when no agent runs.",
    examples: [
      ["Stop it", "git vault agent stop"],
      ["In a logout script", "git vault agent stop --json"],
    ],
  });
  protected readonly verb = "stop";
  protected readonly done = "agent stopped: identity and cache dropped";
}

export class AgentLockCommand extends AgentRequestCommand {
  static override paths = [["agent", "lock"]];
  static override usage = Command.Usage({
    category: "Identity",
    description: "lock the agent: it drops the identity and every cached answer but keeps running",
    details: "Until `git vault agent start` loads the identity again, diffs through the agent show `[git-vault: encrypted, no identity …]` markers. Exits 0 also when no agent runs.",
    examples: [
      ["Stepping away from the desk", "git vault agent lock"],
      ["Load the identity again", "git vault agent start"],
    ],
  });
  protected readonly verb = "lock";
  protected readonly done = "agent locked: identity and cache dropped";
}

/** Hidden: the daemon itself, which `agent start` runs detached. */
export class AgentServeCommand extends VaultCommand {
  static override paths = [["agent", "__serve"]];
  identityFile = Option.String("--identity-file");
  identityStdin = Option.Boolean("--identity-stdin", false);
  timeout = Option.String("--timeout", String(15 * 60));
  cacheMiB = Option.String("--cache-mib", "64");

  async execute(): Promise<number> {
    const { runAgentDaemon } = await import("../../agent/control.js");
    return runAgentDaemon(this.context, {
      identityFile: this.identityFile,
      identityFromStdin: this.identityStdin,
      timeoutSeconds: parseDuration(this.timeout, "--timeout"),
      cacheMiB: Number(this.cacheMiB),
      signals: this.context.signals,
    });
  }
}
