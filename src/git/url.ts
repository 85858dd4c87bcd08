// Submodule URLs as git reads them: which transport a URL uses, and how a
// relative URL (`./`, `../`) is resolved against the superproject's remote.
// Pure string functions; the git-facing part is in submodule.ts.
import { VaultError } from "../errors.js";

/**
 * True when git would use the file transport for `url`: a `file://` URL, or
 * no `scheme://` and no scp-like `host:path` (a colon before the first slash).
 */
export function isLocalUrl(url: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (scheme) return scheme[1]?.toLowerCase() === "file";
  return isPathLike(url);
}

/** True for a submodule URL git resolves against the superproject's remote: one starting with `./` or `../`. */
export function isRelativeUrl(url: string): boolean {
  return url.startsWith("./") || url.startsWith("../");
}

/**
 * Resolves a relative submodule URL against `base` (the superproject's default
 * remote URL, or its top-level directory when it has none) exactly as git's
 * `relative_url()` does for `git submodule add` and `git submodule init`:
 * each leading `../` removes the last `/`-separated component of the base
 * (for an scp-like `host:path` with no `/` left, the `:path` part), `./`
 * removes nothing, and the rest is appended. Other URLs are returned as given.
 * Throws VaultError `relative-url` when a relative base has no component left
 * to remove (git: "cannot strip one component off url").
 */
export function resolveRelativeUrl(base: string, url: string): string {
  if (!isRelativeUrl(url)) return url;
  let remote = base.endsWith("/") ? base.slice(0, -1) : base;
  const baseIsRelative = isPathLike(remote) && !remote.startsWith("/");
  if (baseIsRelative && !isRelativeUrl(remote)) remote = `./${remote}`;
  let rest = url;
  let colonSeparated = false;
  for (;;) {
    if (rest.startsWith("../")) {
      rest = rest.slice(3);
      const chopped = chopLastComponent(remote, baseIsRelative);
      remote = chopped.rest;
      colonSeparated ||= chopped.colon;
    } else if (rest.startsWith("./")) {
      rest = rest.slice(2);
    } else {
      break;
    }
  }
  let resolved = `${remote}${colonSeparated ? ":" : "/"}${rest}`;
  if (rest.endsWith("/")) resolved = resolved.slice(0, -1);
  return resolved.startsWith("./") ? resolved.slice(2) : resolved;
}

// git's url_is_local_not_ssh(): no colon, or a slash before the first colon.
function isPathLike(url: string): boolean {
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  return colon === -1 || (slash !== -1 && slash < colon);
}

// git's chop_last_dir(): drop from the last '/', else from the last ':' (an
// scp-like host:path, after which the next part is joined with ':').
function chopLastComponent(remote: string, baseIsRelative: boolean): { rest: string; colon: boolean } {
  const slash = remote.lastIndexOf("/");
  if (slash !== -1) return { rest: remote.slice(0, slash), colon: false };
  const colon = remote.lastIndexOf(":");
  if (colon !== -1) return { rest: remote.slice(0, colon), colon: true };
  if (baseIsRelative || remote === ".") {
    throw new VaultError("relative-url", "cannot resolve the relative submodule URL: it has more ../ than the remote URL has path components", {
      hint: "give the vault repository's full URL to --submodule-url",
    });
  }
  return { rest: ".", colon: false };
}
