#!/usr/bin/env bash
# soak-memory.sh: the memory of one validator under sustained load, and after
# it (docs/operators.md, "Memory"). It runs `custos-bench run` on a
# one-validator network (SOAK_RATE txs/s offered for SOAK_DURATION, then
# SOAK_HOLD without load) and samples the node every 5 s: VmRSS, its anonymous
# and file-backed parts (/proc), and the Go heap (net/http/pprof). It writes
# the samples and heap profiles to SOAK_OUT and prints the peaks.
set -euo pipefail

BIN=${BIN:-bin/custos}
BENCH=${BENCH:-bin/custos-bench}
RATE=${SOAK_RATE:-2400}
DURATION=${SOAK_DURATION:-150s}
HOLD=${SOAK_HOLD:-60s}
WARM=${SOAK_WARM:-2000}
BASE_PORT=${SOAK_BASE_PORT:-27300}
OUT=${SOAK_OUT:-${TMPDIR:-/tmp}/custos-soak-memory}
PPROF=127.0.0.1:$((BASE_PORT + 90))
NET=$(mktemp -d "${TMPDIR:-/tmp}/custos-soak.XXXXXX")

mkdir -p "$OUT"
samples="$OUT/samples.txt"
: > "$samples"
"$BENCH" run --app custos --validators 1 --rate "$RATE" --duration "$DURATION" --hold "$HOLD" \
	--warm "$WARM" --base-port "$BASE_PORT" --pprof "$PPROF" --custos "$BIN" --dir "$NET/net" \
	> "$OUT/result.json" 2> >(tee "$OUT/progress.txt" >&2) &
bench=$!
trap 'kill "$bench" 2>/dev/null || true; rm -rf "$NET"' EXIT

start=$(date +%s)
n=0
while kill -0 "$bench" 2>/dev/null; do
	node=$(pgrep -P "$bench" -f " start --home " | head -1 || true)
	if [ -n "$node" ] && [ -r "/proc/$node/status" ]; then
		t=$(($(date +%s) - start))
		phase=presign
		grep -q "warming up" "$OUT/progress.txt" && phase=warm
		grep -q "offering" "$OUT/progress.txt" && phase=load
		grep -q "holding" "$OUT/progress.txt" && phase=hold
		mem=$(awk '/^VmRSS|^RssAnon|^RssFile/ { printf "%s=%dMB ", $1, $2 / 1024 }' "/proc/$node/status" | tr -d ':')
		heap=$(curl -s -m 2 "http://$PPROF/debug/pprof/heap?debug=1" |
			awk '/^# (Sys|HeapSys|HeapInuse|HeapReleased) =/ { printf "%s=%dMB ", $2, $4 / 1048576 }' || true)
		echo "t=${t}s phase=$phase $mem$heap" | tee -a "$samples"
		n=$((n + 1))
		if [ $((n % 12)) -eq 0 ]; then
			curl -s -m 10 -o "$OUT/heap-${t}s-$phase.pb.gz" "http://$PPROF/debug/pprof/heap" || true
		fi
	fi
	sleep 5
done
wait "$bench"
echo
echo "result: $(cat "$OUT/result.json")"
for p in load hold; do
	awk -v p="$p" '$2 == "phase=" p {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v = kv[2] + 0; if (v > max[kv[1]]) max[kv[1]] = v; last[kv[1]] = v }
	} END { printf "%s: peak VmRSS %d MB (anon %d, file %d), peak HeapSys %d MB; at its end VmRSS %d MB (anon %d)\n",
		p, max["VmRSS"], max["RssAnon"], max["RssFile"], max["HeapSys"], last["VmRSS"], last["RssAnon"] }' "$samples"
done
