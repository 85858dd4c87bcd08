#!/usr/bin/env bash
# Installs git-vault from this checkout: dependencies, build, and a `git-vault`
# command on PATH (git then runs it as `git vault`). Safe to run again.
#
#   ./install.sh                 installs into ~/.local (command: ~/.local/bin/git-vault)
#   ./install.sh --prefix DIR    installs into DIR (command: DIR/bin/git-vault)
#   ./install.sh --no-build      installs the build already in dist/ (npm run build)
set -euo pipefail

prefix="${HOME}/.local"
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a folder}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

command -v node >/dev/null || { echo "install.sh: Node.js 20 or newer is required (node not found)" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
(( major >= 20 )) || { echo "install.sh: Node.js 20 or newer is required (found $(node --version))" >&2; exit 1; }
command -v git >/dev/null || { echo "install.sh: git is required" >&2; exit 1; }

if (( build )); then
  # Dependencies: only when missing or older than the lock file.
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  npm run --silent build
else
  [[ -f dist/bin.cjs ]] || { echo "install.sh: --no-build, but there is no build in dist/ (run npm run build)" >&2; exit 1; }
fi

# The build is self-contained (one bundle plus lazily loaded chunks), so the
# installed copy does not depend on this checkout or on node_modules.
mkdir -p "$prefix"
prefix="$(cd "$prefix" && pwd)"
lib="$prefix/lib/git-vault"
# Folders made here are readable by every user whatever the umask; folders
# that already exist keep their mode.
make_dir() {
  [[ -d "$1" ]] && return 0
  make_dir "$(dirname "$1")"
  mkdir "$1" && chmod 755 "$1"
}
make_dir "$lib"
make_dir "$prefix/bin"
make_dir "$prefix/share/man/man1"
staging="$(mktemp -d "$prefix/lib/.git-vault.XXXXXX")"
cp -R dist hooks package.json "$staging/"
# mktemp -d makes a private (0700) folder, and a strict umask private files:
# the installed copy is for every user of the machine, like any program.
chmod -R u=rwX,go=rX "$staging"
rm -rf "$lib.old"
[[ -e "$lib" ]] && mv "$lib" "$lib.old"
mv "$staging" "$lib"
rm -rf "$lib.old"

# The launcher turns core dumps off (soft limit 0) before Node starts: git-vault
# holds decrypted values in memory, and Node has no setrlimit. A command that
# `git vault run` starts inherits the limit and may raise it again.
cat > "$prefix/bin/git-vault.tmp" <<SCRIPT
#!/bin/sh
ulimit -S -c 0 2>/dev/null
exec node "$lib/dist/bin.cjs" "\$@"
SCRIPT
chmod 755 "$prefix/bin/git-vault.tmp"
mv "$prefix/bin/git-vault.tmp" "$prefix/bin/git-vault"
# The textconv client git runs per blob (`git vault install` configures it by
# name): sh, not Node; it asks `git vault agent` and falls back to git-vault.
ln -sfn "$lib/dist/git-vault-textconv" "$prefix/bin/git-vault-textconv"
if [[ -f man/git-vault.1 ]]; then
  cp man/git-vault.1 "$prefix/share/man/man1/git-vault.1"
  chmod 644 "$prefix/share/man/man1/git-vault.1"
fi

echo "installed git-vault $("$prefix/bin/git-vault" --version | sed 's/^git-vault //') into $prefix/bin/git-vault"
case ":${PATH}:" in
  *":$prefix/bin:"*) ;;
  *)
    echo
    echo "$prefix/bin is not on your PATH. Add it, e.g. in ~/.bashrc or ~/.zshrc:"
    echo "  export PATH=\"$prefix/bin:\$PATH\""
    ;;
esac
