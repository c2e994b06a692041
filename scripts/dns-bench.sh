#!/usr/bin/env bash
# DNS throughput and server CPU per answer: dnsperf against GhostBridge (a release
# `ghostchain --dev` answering from chain state) next to hickory-dns, NSD and Knot answering the
# same names from one static zone file, same machine, same run, same query mix.
#
#   ./scripts/dns-bench.sh [--names 100] [--seconds 10] [--clients 4] [--idle-seconds 3]
#                          [--json FILE] [--perf FILE]
#
# `--perf FILE` also samples the GhostBridge process with `perf record -e cpu-clock` (999 Hz, no
# call graphs: the release build has no frame pointers) during its dnsperf run and writes the
# samples to FILE for `perf report -i FILE`; perf takes CPU too, so use the figures of a run
# without it.
#
# One server runs at a time (each is stopped before the next starts), every one configured
# alike: UDP and TCP on 127.0.0.1:<free port>, as many server threads/processes as cores
# (GhostBridge: one UDP worker thread per core, each on its own `SO_REUSEPORT` socket, TCP on the
# node's tokio runtime; hickory-dns `--workers`; NSD `server-count` with `reuseport`; Knot
# `udp-workers`), no response-rate limiting (GhostBridge
# exempts loopback clients by default; NSD `rrl-ratelimit: 0`; hickory-dns and Knot have none
# unless configured), no query logging (warnings only), answers without authority or additional
# records (NSD `minimal-responses: yes`; the others do this by default).
#
# For each server it reports queries/s and average latency (dnsperf), answered queries
# (NOERROR + NXDOMAIN in dnsperf's response codes), the average response size (servers that add
# authority or additional records send more bytes) and server CPU µs per answered query: the
# utime + stime (+ reaped children's) delta, from /proc/<pid>/stat before and after dnsperf, of
# the server process and every descendant (NSD forks its servers). dnsperf shares the cores, so
# q/s alone understates a server that leaves more CPU to the client. GhostBridge runs inside the
# `ghostchain --dev` process, so its CPU figure includes the node's own work during the run
# (idle: no transactions are submitted while dnsperf runs); the `idle CPU` column is each
# server's CPU over `--idle-seconds` of no queries just before its run.
#
# Installs what it lacks: dnsperf, nsd and knot (apt) and hickory-dns 0.26.3 (cargo install, into
# ~/.cache/ghostchain/tools). Uses ghostchain and ghost from GHOST_BIN_DIR if set, else builds
# them in release into $CARGO_TARGET_DIR/release. Loopback only; stops everything it starts. A
# server that fails to start or to answer is reported as failed (never a figure) and the script
# exits 1 after the table and the JSON.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$root/scripts/env.sh"
names=100
seconds=10
clients=4
idle_seconds=3
json=""
perf_out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --names) names="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --idle-seconds) idle_seconds="$2"; shift 2 ;;
        --json) json="$2"; shift 2 ;;
        --perf) perf_out="$(realpath -m "$2")"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
cores=$(nproc)
apt_install() {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v dnsperf >/dev/null || apt_install dnsperf
[ -z "$perf_out" ] || command -v perf >/dev/null || apt_install linux-perf
# The Debian packages' services are not started here (policy-rc.d or no systemd in a container);
# the script runs its own instances with its own configuration.
{ [ -x /usr/sbin/nsd ] && [ -x /usr/sbin/knotd ]; } || apt_install nsd knot || true
tools="$HOME/.cache/ghostchain/tools"
if [ ! -x "$tools/bin/hickory-dns" ]; then
    cargo install --root "$tools" hickory-dns --version =0.26.3 --no-default-features --locked
fi
if [ -n "${GHOST_BIN_DIR:-}" ]; then
    bin="$GHOST_BIN_DIR"
else
    cargo build --release -p ghostchain --bins
    bin="$CARGO_TARGET_DIR/release"
fi

work=$(mktemp -d)
chmod 755 "$work"
pid=""
stop_server() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        pid=""
    fi
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
# Clock ticks (utime + stime + cutime + cstime) of a process and all its descendants.
cpu_ticks() {
    python3 - "$1" <<'PY'
import os, sys
root = int(sys.argv[1])
stats = {}
for entry in os.listdir("/proc"):
    if entry.isdigit():
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After "pid (comm)": state ppid ... utime(14) stime(15) cutime(16) cstime(17).
        stats[int(entry)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
tree, frontier = {root}, [root]
while frontier:
    parent = frontier.pop()
    for child, (ppid, _) in stats.items():
        if ppid == parent and child not in tree:
            tree.add(child)
            frontier.append(child)
print(sum(stats[p][1] for p in tree if p in stats))
PY
}
wait_answer() { # port name: until the server answers the name's A record (or dies)
    for _ in $(seq 100); do
        dig @127.0.0.1 -p "$1" +short +time=1 +tries=1 "$2" A | grep -q . && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}
results="$work/results.tsv"
: > "$results"
# bench KEY LABEL PORT: idle CPU, then dnsperf with CPU before/after, appended to $results.
bench() {
    local key="$1" label="$2" port="$3" t0 t1 t2 out perf_pid=""
    t0=$(cpu_ticks "$pid")
    sleep "$idle_seconds"
    t1=$(cpu_ticks "$pid")
    out="$work/dnsperf-$key.txt"
    if [ "$key" = ghostbridge ] && [ -n "$perf_out" ]; then
        perf record -q -e cpu-clock -F 999 -p "$pid" -o "$perf_out" 2>"$work/perf.log" &
        perf_pid=$!
    fi
    dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -l "$seconds" -c "$clients" \
        -T "$clients" -q 200 >"$out" 2>&1 || { cat "$out" >&2; return 1; }
    t2=$(cpu_ticks "$pid")
    if [ -n "$perf_pid" ]; then
        # perf record exits non-zero when interrupted; the samples file says whether it worked.
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
        [ -s "$perf_out" ] || { cat "$work/perf.log" >&2; return 1; }
    fi
    kill -0 "$pid" 2>/dev/null || { echo "$label died during its run" >&2; return 1; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$t0" "$t1" "$t2" "$out" >> "$results"
}
failed() { # KEY LABEL REASON: a server that could not be measured
    printf '%s\t%s\tFAILED\t%s\n' "$1" "$2" "$3" >> "$results"
    echo "$2: $3" >&2
    stop_server
}

# The same names everywhere: name-i.ghost A 10.0.x.y, submitted to the chain without waiting,
# then awaited once through DNS; the static zone holds the same records plus the apex.
{
    echo '$ORIGIN ghost.'
    echo '@ 3600 IN SOA ns.ghost. hostmaster.ghost. 1 3600 600 604800 60'
    echo '@ 3600 IN NS ns.ghost.'
    echo 'ns 3600 IN A 127.0.0.1'
} > "$work/ghost.zone"
: > "$work/queries.txt"

# GhostBridge
rpc_port=$(free_port); ghost_dns=$(free_port); grpc_port=$(free_port)
"$bin/ghostchain" --dev --no-prometheus --rpc-port "$rpc_port" --dns-port "$ghost_dns" \
    --grpc-port "$grpc_port" --dns-ns-addr ns.ghost=127.0.0.1 -l warn 2>"$work/node.log" &
pid=$!
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null && break; sleep 0.1; done
for i in $(seq 1 "$names"); do
    ip="10.0.$((i / 256)).$((i % 256))"
    "$bin/ghost" --rpc "ws://127.0.0.1:$rpc_port" domain register "name-$i.ghost" --from //Alice \
        --record "A=$ip" --wait none >/dev/null
    echo "name-$i 300 IN A $ip" >> "$work/ghost.zone"
    echo "name-$i.ghost A" >> "$work/queries.txt"
done
registered=""
for _ in $(seq 600); do
    dig @127.0.0.1 -p "$ghost_dns" +short +time=1 +tries=1 "name-$names.ghost" A | grep -q . && { registered=1; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
if [ -n "$registered" ]; then
    bench ghostbridge "GhostBridge (ghostchain --dev, chain state)" "$ghost_dns" \
        || failed ghostbridge "GhostBridge" "dnsperf failed or the node died"
else
    failed ghostbridge "GhostBridge" "name-$names.ghost not answered: $(tail -3 "$work/node.log" | tr '\n' ' ')"
fi
stop_server

# hickory-dns
port=$(free_port)
cat > "$work/hickory.toml" <<TOML
listen_addrs_ipv4 = ["127.0.0.1"]
listen_port = $port
directory = "$work"
$( [ "$(id -u)" = 0 ] && printf 'user = "nobody"\ngroup = "%s"\n' "$(getent group nogroup >/dev/null && echo nogroup || echo nobody)" )

[[zones]]
zone = "ghost"
zone_type = "Primary"

[zones.stores]
type = "file"
zone_path = "ghost.zone"
TOML
"$tools/bin/hickory-dns" --quiet --workers "$cores" --config "$work/hickory.toml" >"$work/hickory.log" 2>&1 &
pid=$!
if wait_answer "$port" name-1.ghost; then
    bench hickory "hickory-dns 0.26.3 (zone file)" "$port" || failed hickory "hickory-dns" "dnsperf failed or the server died"
else
    failed hickory "hickory-dns" "did not answer: $(tail -3 "$work/hickory.log" | tr '\n' ' ')"
fi
stop_server

# NSD
if [ -x /usr/sbin/nsd ]; then
    port=$(free_port)
    mkdir -p "$work/nsd"
    cat > "$work/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$port
    do-ip6: no
    server-count: $cores
    reuseport: yes
    username: ""
    chroot: ""
    zonesdir: "$work"
    database: ""
    zonelistfile: "$work/nsd/zone.list"
    xfrdfile: "$work/nsd/xfrd.state"
    xfrdir: "$work/nsd"
    pidfile: "$work/nsd/nsd.pid"
    logfile: "$work/nsd.log"
    verbosity: 0
    # Answer section only, as the other three answer an A query (NSD 4.6 adds the apex NS
    # and its glue by default).
    minimal-responses: yes
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: ghost
    zonefile: ghost.zone
CONF
    /usr/sbin/nsd -d -c "$work/nsd.conf" >"$work/nsd.out" 2>&1 &
    pid=$!
    if wait_answer "$port" name-1.ghost; then
        bench nsd "NSD $(/usr/sbin/nsd -v 2>&1 | awk 'NR==1 {print $3}') (zone file)" "$port" \
            || failed nsd "NSD" "dnsperf failed or the server died"
    else
        failed nsd "NSD" "did not answer: $(cat "$work/nsd.out" "$work/nsd.log" 2>/dev/null | tail -3 | tr '\n' ' ')"
    fi
    stop_server
else
    failed nsd "NSD" "not installed (apt-get install nsd failed)"
fi

# Knot
if [ -x /usr/sbin/knotd ]; then
    port=$(free_port)
    mkdir -p "$work/knot"
    cat > "$work/knot.conf" <<CONF
server:
    rundir: "$work/knot"
    listen: 127.0.0.1@$port
    udp-workers: $cores
    tcp-workers: $cores
    background-workers: 1
log:
  - target: stderr
    any: warning
database:
    storage: "$work/knot"
template:
  - id: default
    storage: "$work"
    file: "%s.zone"
    journal-content: none
    zonefile-sync: -1
    zonefile-load: whole
zone:
  - domain: ghost
CONF
    /usr/sbin/knotd -c "$work/knot.conf" >"$work/knot.log" 2>&1 &
    pid=$!
    if wait_answer "$port" name-1.ghost; then
        bench knot "Knot $(/usr/sbin/knotd --version | awk '{print $NF}') (zone file)" "$port" \
            || failed knot "Knot" "dnsperf failed or the server died"
    else
        failed knot "Knot" "did not answer: $(tail -3 "$work/knot.log" | tr '\n' ' ')"
    fi
    stop_server
else
    failed knot "Knot" "not installed (apt-get install knot failed)"
fi

# The table, and the JSON (keys ghostbridge_qps and hickory_qps as before).
python3 - "$results" "$names" "$seconds" "$clients" "$cores" "$idle_seconds" "$(getconf CLK_TCK)" "${json:-}" <<'PY'
import json, os, re, sys
results, names, seconds, clients, cores, idle_seconds, hz, out = sys.argv[1:9]
names, seconds, clients, cores, idle_seconds, hz = map(int, (names, seconds, clients, cores, idle_seconds, hz))
us_per_tick = 1e6 / hz
doc = {"names": names, "seconds": seconds, "clients": clients, "cores": cores,
       "load_average": os.getloadavg()[0]}
rows = []
for line in open(results):
    key, label, *rest = line.rstrip("\n").split("\t")
    if rest[0] == "FAILED":
        rows.append((label, None, rest[1]))
        doc[f"{key}_error"] = rest[1]
        continue
    t0, t1, t2 = map(int, rest[:3])
    text = open(rest[3]).read()
    def field(pattern):
        m = re.search(pattern, text)
        if not m:
            sys.exit(f"{label}: no '{pattern}' in dnsperf's output:\n{text}")
        return float(m.group(1))
    qps = field(r"Queries per second:\s+([\d.]+)")
    latency = field(r"Average Latency \(s\):\s+([\d.]+)")
    sent = int(field(r"Queries sent:\s+(\d+)"))
    codes = dict((c, int(n)) for c, n in re.findall(r"([A-Z]+) (\d+) \(", text.split("Response codes:", 1)[-1].split("\n", 1)[0]))
    answered = codes.get("NOERROR", 0) + codes.get("NXDOMAIN", 0)
    response_bytes = int(field(r"Average packet size:\s+request \d+, response (\d+)"))
    cpu_us = (t2 - t1) * us_per_tick
    idle_ms_per_s = (t1 - t0) * us_per_tick / 1000 / idle_seconds
    per_answer = cpu_us / answered if answered else None
    doc.update({f"{key}_qps": qps, f"{key}_latency_s": latency, f"{key}_sent": sent,
                f"{key}_answered": answered, f"{key}_response_bytes": response_bytes,
                f"{key}_cpu_s": cpu_us / 1e6,
                f"{key}_cpu_us_per_answer": per_answer, f"{key}_idle_cpu_ms_per_s": idle_ms_per_s})
    rows.append((label, (qps, latency, sent, answered, response_bytes, cpu_us, per_answer, idle_ms_per_s), None))
print(f"names: {names}, {seconds} s, {clients} dnsperf clients/threads, {cores} cores, "
      f"load average {doc['load_average']:.2f} at the end")
print(f"{'server':46} {'q/s':>9} {'avg lat':>9} {'sent':>9} {'answered':>9} {'resp B':>6} {'CPU s':>7} {'µs/answer':>10} {'idle CPU':>10}")
for label, r, error in rows:
    if r is None:
        print(f"{label:46} FAILED: {error}")
        continue
    qps, latency, sent, answered, size, cpu_us, per_answer, idle = r
    pa = f"{per_answer:.2f}" if per_answer is not None else "n/a"
    print(f"{label:46} {qps:9.0f} {latency * 1e3:7.3f}ms {sent:9d} {answered:9d} {size:6d} {cpu_us / 1e6:7.2f} {pa:>10} {idle:6.1f}ms/s")
g = doc.get("ghostbridge_cpu_us_per_answer")
for key in ("hickory", "nsd", "knot"):
    if f"{key}_qps" in doc and "ghostbridge_qps" in doc:
        line = f"GhostBridge / {key}: q/s {doc['ghostbridge_qps'] / doc[f'{key}_qps']:.2f}x"
        if g and doc.get(f"{key}_cpu_us_per_answer"):
            line += f", CPU per answer {g / doc[f'{key}_cpu_us_per_answer']:.2f}x"
        print(line)
if out:
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
PY
# A server that could not be measured is in the table and the JSON as failed, and fails the run.
! grep -q $'\tFAILED\t' "$results"
