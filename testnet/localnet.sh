#!/usr/bin/env bash
# Runs a local testnet in the background: start | stop | status | reset.
#
# start writes the testnet with `custos testnet init` if LOCALNET_DIR holds
# none, then starts every node as `custos start --home DIR/nodeI
# --resolver.laddr ...`, its log in DIR/nodeI/custos.log and its PID in
# DIR/nodeI/custos.pid. stop signals only the PIDs of those files, and only
# when the process is still the custos started for that home. reset stops
# the nodes and deletes the testnet (keys, genesis, chain data).
#
# Settings (environment): BIN (bin/custos), LOCALNET_DIR (testnet/.localnet),
# and for a new testnet LOCALNET_VALIDATORS (4), LOCALNET_FULL_NODES (0),
# LOCALNET_BASE_PORT (26600), LOCALNET_TIMEOUT_COMMIT (500ms).
set -euo pipefail

BIN=${BIN:-bin/custos}
DIR=${LOCALNET_DIR:-testnet/.localnet}

usage() {
	echo "usage: $0 start|stop|status|reset" >&2
	exit 2
}

need_bin() {
	if [ ! -x "$BIN" ]; then
		echo "no custos binary at $BIN: run make build" >&2
		exit 1
	fi
}

# abs_dir prints the absolute path of the testnet folder.
abs_dir() { (cd "$DIR" && pwd); }

# ours PID HOME succeeds if PID is the `custos start` of HOME.
ours() {
	local args
	args=$(ps -p "$1" -o args= 2>/dev/null) || return 1
	case "$args" in
	*" start --home $2 "*) return 0 ;;
	esac
	return 1
}

start() {
	need_bin
	if [ ! -f "$DIR/testnet.json" ]; then
		"$BIN" testnet init --output-dir "$DIR" \
			--validators "${LOCALNET_VALIDATORS:-4}" \
			--full-nodes "${LOCALNET_FULL_NODES:-0}" \
			--base-port "${LOCALNET_BASE_PORT:-26600}" \
			--timeout-commit "${LOCALNET_TIMEOUT_COMMIT:-500ms}"
		echo
	fi
	local abs name resolver home pidfile started=()
	abs=$(abs_dir)
	# ports.txt: name role p2p rpc resolver prometheus node-id.
	while read -r name _ _ _ resolver _; do
		home="$abs/$name"
		pidfile="$home/custos.pid"
		if [ -f "$pidfile" ] && ours "$(cat "$pidfile")" "$home"; then
			echo "$name runs already (pid $(cat "$pidfile"))"
			continue
		fi
		nohup "$BIN" start --home "$home" --resolver.laddr "$resolver" >>"$home/custos.log" 2>&1 </dev/null &
		echo $! >"$pidfile"
		started+=("$name")
		echo "started $name (pid $!, resolver http://$resolver), log $home/custos.log"
	done < <(awk '!/^#/ && NF' "$abs/ports.txt")

	# A node that cannot start (a port in use...) exits within a second or two.
	[ ${#started[@]} -eq 0 ] || sleep 2
	local failed=0
	for name in "${started[@]}"; do
		home="$abs/$name"
		if ! ours "$(cat "$home/custos.pid")" "$home"; then
			echo "$name exited; the end of its log:" >&2
			tail -n 5 "$home/custos.log" >&2
			rm -f "$home/custos.pid"
			failed=1
		fi
	done
	if [ $failed -ne 0 ]; then
		echo "some nodes did not start: fix the cause, then make localnet again (running nodes are kept)" >&2
		exit 1
	fi
	echo "status: make localnet-status; stop: make localnet-stop"
}

stop() {
	if [ ! -f "$DIR/testnet.json" ]; then
		echo "no testnet in $DIR"
		return 0
	fi
	local abs pidfile home name pid
	abs=$(abs_dir)
	for pidfile in "$abs"/*/custos.pid; do
		[ -f "$pidfile" ] || continue
		home=$(dirname "$pidfile")
		name=$(basename "$home")
		pid=$(cat "$pidfile")
		if ! ours "$pid" "$home"; then
			echo "$name: not running (stale pid file removed)"
			rm -f "$pidfile"
			continue
		fi
		kill -TERM "$pid"
		for _ in $(seq 50); do
			ours "$pid" "$home" || break
			sleep 0.2
		done
		if ours "$pid" "$home"; then
			echo "$name did not stop within 10s: killing pid $pid"
			kill -KILL "$pid"
		fi
		rm -f "$pidfile"
		echo "stopped $name (pid $pid)"
	done
}

status() {
	need_bin
	"$BIN" testnet status --home-dir "$DIR"
}

reset() {
	stop
	if [ -f "$DIR/testnet.json" ]; then
		rm -rf -- "$DIR"
		echo "deleted $DIR; make localnet writes a new testnet"
	fi
}

[ $# -eq 1 ] || usage
case "$1" in
start | stop | status | reset) "$1" ;;
*) usage ;;
esac
