/**
 * Names for option values in help and usage text. Clipanion writes a value
 * as `#0` (`--file,-f #0`); git-vault's help, usage errors and man page say
 * what goes there, as docs/cli.md does (`--file,-f PATH`).
 */
const VALUE_NAMES: Readonly<Record<string, string>> = {
  "--file": "PATH",
  "--vault-dir": "DIR",
  "--env": "NAME",
  "--identity-file": "FILE",
  "--from-file": "FILE",
  "--section": "NAME",
  "--only": "KEYS",
  "--label": "LABEL",
  "--trust-fingerprint": "FP",
  "--submodule-url": "URL",
  "--timeout": "DURATION",
  "--cache-mib": "MIB",
  "--context": "NAME",
  "--container": "NAME",
  "--user": "USER",
  "--workdir": "DIR",
  "--dir": "DIR",
  "--since": "WHEN",
  "--key": "KEY",
  "--lines": "N",
  "--listen": "ADDRESS",
  "--tls-cert": "FILE",
  "--tls-key": "FILE",
  "--reveal-limit": "N",
  "--write-limit": "N",
  "--body-limit": "BYTES",
  "--request-timeout": "SECONDS",
  "--max-connections": "N",
  "--server": "URL",
  "--token-dir": "DIR",
  "--name": "NAME",
  "--keys": "PATTERNS",
  "--scope": "SCOPES",
  "--ttl": "DURATION",
  "--refresh-ttl": "DURATION",
  "--reveal-once": "KEY",
  "--out": "DIR",
};

/**
 * `text` with every `--option[,-o] #0` given the name of its value (VALUE
 * when it has none). In an options table, the padding after it shrinks by
 * what the name adds, so the descriptions stay aligned.
 */
export function withValueNames(text: string): string {
  return text.replace(/(--[A-Za-z][A-Za-z0-9-]*)((?:,-[A-Za-z])?) #0( {2,})?/g, (_m, name: string, short: string, padding: string | undefined) => {
    const value = VALUE_NAMES[name] ?? "VALUE";
    const after = padding === undefined ? "" : " ".repeat(Math.max(2, padding.length - (value.length - "#0".length)));
    return `${name}${short} ${value}${after}`;
  });
}
