#!/usr/bin/env bash
# Several open111 nodes on one PostgreSQL, as behind a load balancer, on this machine:
#   DATABASE_URL=postgres://… scripts/cluster.sh 4 8111      # nodes on ports 8111–8114
# The first node migrates and seeds (the migrator also takes an advisory lock, so starting them together
# is safe too); the others start once it answers. Ctrl-C or SIGTERM stops them all. Demo data and log-ins
# unless OPEN111_CLUSTER_DEMO=0. Used by the multi-node benchmark; the load generator can drive each port.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes="${1:-2}"
base="${2:-8111}"
if [[ -z "${DATABASE_URL:-}" ]]; then
  echo "cluster.sh needs DATABASE_URL: several nodes share one PostgreSQL (an embedded PGlite belongs to one process)." >&2
  exit 2
fi
if ! [[ "$nodes" =~ ^[0-9]+$ ]] || (( nodes < 1 || nodes > 32 )); then
  echo "cluster.sh: the number of nodes must be 1–32, not \"$nodes\"." >&2
  exit 2
fi
demo=(--demo)
[[ "${OPEN111_CLUSTER_DEMO:-1}" == 0 ]] && demo=()
pids=()
stop() {
  trap - INT TERM EXIT
  (( ${#pids[@]} )) && kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop INT TERM EXIT
wait_ready() {
  for _ in $(seq 1 240); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1/readyz" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "cluster.sh: the node on port $1 did not become ready in 2 minutes." >&2
  return 1
}
for ((i = 0; i < nodes; i++)); do
  port=$((base + i))
  PORT="$port" LOG_LEVEL="${LOG_LEVEL:-warn}" node bin/open111.mjs serve "${demo[@]}" >"${TMPDIR:-/tmp}/open111-node-$port.log" 2>&1 &
  pids+=("$!")
  # The first node prepares the database before the rest start.
  (( i == 0 )) && wait_ready "$port"
done
for ((i = 1; i < nodes; i++)); do wait_ready $((base + i)); done
echo "open111: $nodes nodes on ports $base–$((base + nodes - 1)) (logs in ${TMPDIR:-/tmp}/open111-node-PORT.log); Ctrl-C stops them"
wait
