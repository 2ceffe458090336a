import * as fs from 'fs';
import * as path from 'path';
import { bind } from './mounts';
import { SCRATCH_GUEST_PATH } from './sandbox-guest';

/**
 * The test phase's `systemctl`. In the sandbox no systemd runs (the real systemctl says "Running
 * in chroot, ignoring" and exits 0), so a test of `systemctl start nginx && curl localhost` would
 * pass or fail for the wrong reason. This stand-in runs a simple unit's own commands: start
 * (ExecStartPre, ExecStart, ExecStartPost; Type simple, exec, forking, oneshot, notify), stop
 * (ExecStop, else SIGTERM), restart, reload, is-active and status; enable, disable, is-enabled and
 * the rest go to the real systemctl, which handles them offline. Each use is logged, so the report
 * says which steps relied on it.
 */
export const SYSTEMCTL_SHIM = String.raw`#!/bin/bash
# bake-local's systemctl for the test phase: runs simple units' commands itself (no systemd runs here).
set -u
scratch=${SCRATCH_GUEST_PATH}
units="$scratch/units"
mkdir -p "$units"
real=/usr/bin/systemctl.bake-local-real
quiet=0; now=0; args=()
for a in "$@"; do
  case "$a" in
    -q|--quiet) quiet=1 ;;
    --now) now=1 ;;
    --no-block|--no-pager|--system|--no-ask-password|--full|-l) ;;
    -*) args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
verb=${'${args[0]:-}'}
say() { [ "$quiet" = 1 ] || echo "$@"; }
unit_name() { case "$1" in *.*) echo "$1" ;; *) echo "$1.service" ;; esac; }
unit_file() {
  local d
  for d in /etc/systemd/system /run/systemd/system /usr/local/lib/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
    [ -f "$d/$1" ] && { echo "$d/$1"; return 0; }
  done
  return 1
}
# Reads [Service] of a unit into variables; Exec lines into arrays (an empty assignment resets).
load_unit() {
  Type=simple; PIDFile=; RemainAfterExit=no; WorkingDirectory=; User=; Group=
  ExecStartPre=(); ExecStart=(); ExecStartPost=(); ExecStop=(); ExecReload=()
  local file section= line key value
  file=$(unit_file "$1") || { echo "Unit $1 not found." >&2; return 5; }
  while IFS= read -r line || [ -n "$line" ]; do
    while [[ "$line" == *\\ ]]; do IFS= read -r more || break; line="${'${line%?}'} $more"; done
    line="${'${line#"${line%%[![:space:]]*}"}'}"
    case "$line" in ''|'#'*|';'*) continue ;; '['*) section=$line; continue ;; esac
    [ "$section" = "[Service]" ] || continue
    key=${'${line%%=*}'}; value=${'${line#*=}'}
    case "$key" in
      Type|PIDFile|RemainAfterExit|WorkingDirectory|User|Group) printf -v "$key" '%s' "$value" ;;
      ExecStartPre|ExecStart|ExecStartPost|ExecStop|ExecReload)
        if [ -z "$value" ]; then eval "$key=()"; else eval "$key+=(\"\$value\")"; fi ;;
      Environment) eval "export $value" 2>/dev/null || true ;;
      EnvironmentFile) f=${'${value#-}'}; [ -f "$f" ] && { set -a; . "$f"; set +a; } ;;
    esac
  done < "$file"
}
# Runs one Exec line: prefixes - (failure ignored), @, +, !, : are understood; waits unless told not to.
run_exec() {
  local line=$1 background=${'${2:-no}'} ignore=0
  while :; do
    case "$line" in -*) ignore=1; line=${'${line#-}'} ;; [@+!:]*) line=${'${line#?}'} ;; *) break ;; esac
  done
  local prefix=()
  if [ -n "$User" ]; then prefix=(setpriv --reuid="$User" --regid="${'${Group:-$User}'}" --init-groups); fi
  if [ "$background" = yes ]; then
    ( [ -n "$WorkingDirectory" ] && cd "${'${WorkingDirectory#-}'}"; exec setsid "${'${prefix[@]}'}" /bin/sh -c "exec $line" ) </dev/null >>"$units/$unit.log" 2>&1 &
    echo $! > "$units/$unit.pid"
    return 0
  fi
  ( [ -n "$WorkingDirectory" ] && cd "${'${WorkingDirectory#-}'}"; "${'${prefix[@]}'}" /bin/sh -c "$line" ) </dev/null
  local status=$?
  [ $status -eq 0 ] || [ $ignore = 1 ]
}
alive() { local pid; pid=$(cat "$units/$1.pid" 2>/dev/null) || return 1; [ -n "$pid" ] && [ -e "/proc/$pid" ] && ! grep -qE '^State:\s+[ZX]' "/proc/$pid/status" 2>/dev/null; }
active() { alive "$1" || [ -f "$units/$1.active" ]; }
start_unit() {
  active "$unit" && return 0
  load_unit "$unit" || return $?
  local line
  for line in "${'${ExecStartPre[@]}'}"; do run_exec "$line" || { echo "Job for $unit failed (ExecStartPre)." >&2; return 1; }; done
  case "$Type" in
    forking)
      # The daemon keeps what it inherits open: give it the unit's log, not the step's output.
      for line in "${'${ExecStart[@]}'}"; do
        run_exec "$line" >>"$units/$unit.log" 2>&1 || { echo "Job for $unit failed (ExecStart):" >&2; tail -n 5 "$units/$unit.log" >&2; return 1; }
      done
      if [ -n "$PIDFile" ]; then
        for _ in $(seq 50); do [ -s "$PIDFile" ] && break; sleep 0.1; done
        cp "$PIDFile" "$units/$unit.pid" 2>/dev/null || { echo "Job for $unit failed: no PID file $PIDFile." >&2; return 1; }
      else
        touch "$units/$unit.active"
      fi ;;
    oneshot)
      for line in "${'${ExecStart[@]}'}"; do run_exec "$line" || { echo "Job for $unit failed (ExecStart)." >&2; return 1; }; done
      [ "$RemainAfterExit" = yes ] && touch "$units/$unit.active" ;;
    *)
      [ ${'${#ExecStart[@]}'} -gt 0 ] || { echo "$unit has no ExecStart." >&2; return 1; }
      run_exec "${'${ExecStart[0]}'}" yes
      sleep 0.3
      alive "$unit" || { echo "Job for $unit failed: its process exited (see $units/$unit.log)." >&2; tail -n 5 "$units/$unit.log" >&2; return 1; } ;;
  esac
  for line in "${'${ExecStartPost[@]}'}"; do run_exec "$line" || return 1; done
  return 0
}
stop_unit() {
  load_unit "$unit" >/dev/null 2>&1 || true
  local pid line
  pid=$(cat "$units/$unit.pid" 2>/dev/null || true)
  export MAINPID=$pid
  if [ ${'${#ExecStop[@]}'} -gt 0 ]; then for line in "${'${ExecStop[@]}'}"; do run_exec "$line" || true; done; fi
  if [ -n "$pid" ] && alive "$unit"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do alive "$unit" || break; sleep 0.1; done
    alive "$unit" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$units/$unit.pid" "$units/$unit.active"
  return 0
}
shift_units=("${'${args[@]:1}'}")
case "$verb" in
  start|stop|restart|try-restart|reload|reload-or-restart|is-active|status|is-failed) ;;
  enable|disable)
    "$real" "$@" || exit $?
    [ "$now" = 1 ] || exit 0
    [ "$verb" = enable ] && verb=start || verb=stop ;;
  daemon-reload|daemon-reexec) exit 0 ;;
  *) exec "$real" "$@" ;;
esac
status=0
for name in "${'${shift_units[@]}'}"; do
  unit=$(unit_name "$name")
  echo "$verb $unit" >> "$scratch/systemctl-shim.log"
  case "$verb" in
    start) start_unit || status=1 ;;
    stop) stop_unit ;;
    restart|try-restart|reload-or-restart) stop_unit; start_unit || status=1 ;;
    reload)
      load_unit "$unit" || { status=5; continue; }
      if [ ${'${#ExecReload[@]}'} -gt 0 ]; then export MAINPID=$(cat "$units/$unit.pid" 2>/dev/null); for line in "${'${ExecReload[@]}'}"; do run_exec "$line" || status=1; done; else stop_unit; start_unit || status=1; fi ;;
    is-active) if active "$unit"; then say active; else say inactive; status=3; fi ;;
    is-failed) if active "$unit"; then say active; status=1; else say inactive; fi ;;
    status) if active "$unit"; then say "● $unit - active (running; bake-local's systemctl stand-in)"; else say "○ $unit - inactive (dead)"; status=3; fi ;;
  esac
done
exit $status
`;

/**
 * Puts the stand-in over the guest's systemctl for the test phase, keeping the real one beside it
 * (both bind mounts, so the test overlay's files are not touched). Returns false when the image
 * has no systemctl.
 */
export function installSystemctlShim(root: string, shimFolder: string): boolean {
  const systemctl = path.join(root, 'usr', 'bin', 'systemctl');
  if (!fs.existsSync(systemctl)) {
    return false;
  }
  const shim = path.join(shimFolder, 'systemctl');
  fs.writeFileSync(shim, SYSTEMCTL_SHIM, { mode: 0o755 });
  const realCopy = path.join(root, 'usr', 'bin', 'systemctl.bake-local-real');
  fs.writeFileSync(realCopy, '', { mode: 0o755 });
  bind(fs.realpathSync(systemctl), realCopy);
  bind(shim, systemctl);
  return true;
}

/** Which units the stand-in was used for since the last call (one note per use). */
export function systemctlShimUses(root: string): () => string[] {
  let seen = 0;
  return () => {
    const log = path.join(root, SCRATCH_GUEST_PATH, 'systemctl-shim.log');
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf-8').split('\n').filter(l => l !== '') : [];
    if (lines.length < seen) {
      seen = 0; // /run was emptied by a restart.
    }
    const fresh = lines.slice(seen);
    seen = lines.length;
    return fresh.map(line => `systemctl stand-in: ${line}`);
  };
}
