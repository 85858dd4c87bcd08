#!/bin/sh
# git-vault-textconv FILE: git's textconv driver for env files (what
# `git vault install` sets as diff.git-vault.textconv). It asks this user's
# `git vault agent` over its unix socket (with `nc -U`, else `socat`) and
# prints the answer only when every byte of it arrived; on anything else (no
# agent, no client tool, a cut or refused answer, an identity of the
# caller's own) it runs `git-vault textconv FILE`, which prints the same
# bytes a Node process later. A diff never fails or shows nothing for want
# of an agent. The protocol is described in src/agent/protocol.ts.
LC_ALL=C
export LC_ALL

fallback() {
  exec git-vault textconv "$file"
}

file=$1
[ $# -eq 1 ] || exec git-vault textconv "$@"
case $file in
  /*) path=$file ;;
  -*) fallback ;;
  *) path=$PWD/$file ;;
esac
nl='
'
case $path$PWD in *"$nl"*) fallback ;; esac

# A key given in the environment is the caller's own: `git-vault textconv` uses it.
[ -z "${GIT_VAULT_IDENTITY:-}" ] || fallback
# A worker environment decrypts nothing locally (`git vault remote`); git-vault textconv shows markers.
[ -z "${GIT_VAULT_REMOTE:-}" ] || fallback
# cwd: where git runs textconv, whose configuration (policy hook, audit log) applies;
# and the variables that say where this caller's audit log is (empty: unset).
case ${GIT_VAULT_AUDIT_LOG:-}${XDG_STATE_HOME:-}${HOME:-} in *"$nl"*) fallback ;; esac
request="textconv${nl}file=$path${nl}cwd=$PWD${nl}audit-log=${GIT_VAULT_AUDIT_LOG:-}${nl}state-home=${XDG_STATE_HOME:-}${nl}home=${HOME:-}$nl"
if [ -n "${GIT_VAULT_IDENTITY_FILE:-}" ]; then
  case $GIT_VAULT_IDENTITY_FILE in
    /*) ;;
    *) fallback ;;
  esac
  case $GIT_VAULT_IDENTITY_FILE in *"$nl"*) fallback ;; esac
  request="${request}identity-file=$GIT_VAULT_IDENTITY_FILE$nl"
fi

# The socket: as src/agent/paths.ts finds it.
case ${XDG_RUNTIME_DIR:-} in
  /*) socket=$XDG_RUNTIME_DIR/git-vault/agent.sock ;;
  *)
    case ${XDG_CACHE_HOME:-} in
      /*) socket=$XDG_CACHE_HOME/git-vault/agent/agent.sock ;;
      *) socket=${HOME:-/nonexistent}/.cache/git-vault/agent/agent.sock ;;
    esac
    ;;
esac
# Only a socket of this user's (its folder is 0700 and the user's own too).
[ -S "$socket" ] && [ -O "$socket" ] || fallback

# One request, one answer. The answer ends with "." so that $(...) keeps the
# body's trailing newlines; nc (or socat) is the last command of the
# substitution, which the shell then runs without another fork.
if command -v nc >/dev/null 2>&1; then
  answer=$(nc -w 30 -U "$socket" 2>/dev/null <<REQUEST
$request
REQUEST
)
elif command -v socat >/dev/null 2>&1; then
  case $socket in *[,:!\ \\\'\"]*) fallback ;; esac
  answer=$(socat -t 30 -T 30 - "UNIX-CONNECT:$socket" 2>/dev/null <<REQUEST
$request
REQUEST
)
else
  fallback
fi

# "ok LENGTH\n", exactly LENGTH bytes, then ".": anything else is not printed.
case $answer in
  "ok "*"$nl"*.) ;;
  *) fallback ;;
esac
head=${answer%%"$nl"*}
length=${head#ok }
case $length in '' | *[!0-9]*) fallback ;; esac
body=${answer#*"$nl"}
body=${body%.}
[ "${#body}" -eq "$length" ] || fallback
printf '%s' "$body"
