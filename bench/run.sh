#!/bin/sh
# Run every benchmark on this tree and on a base commit, side by side in the same run, and write
# the results into docs/benchmarks.md:
#   1. bench_assoc (bench/bench_assoc.c): association time from scratch against the number of
#      subflows, packets per second of the library fed from memory, memory per subflow and per
#      retained segment, each target marked PASS or FAIL;
#   2. bench_latency (bench/bench_latency.c): the latency of every sampo_ctx_feed() call in steady
#      state at 1k, 10k, 100k subflows, with the association runs inside feed (mode a) and, from
#      libsampo 0.2.0, off the packet path through sampo_ctx_run() (mode b);
#   3. instructions (callgrind, if valgrind is installed), which unlike wall time do not depend on
#      the machine's load or caches: the from-scratch association split into its feed path and
#      its run, and the steady-state feed calls and runs of bench_latency;
#   4. bench/cli_vs_tshark.py: sampo-cli reading each lab capture against tshark, same run, with
#      the base commit's sampo-cli beside this tree's;
#   4b. bench/cli_throughput.py: sampo-cli (and the base's) on one long capture made of the lab
#      captures (about 1 M packets), JSON and text output, where start-up does not count;
#   5. bench/compare.py: every figure of this tree beside the base's, with the ratio, the noise
#      of the same run, and a flag on every figure more than 5 % worse.
#
# The base (--base REF, default HEAD~1) is checked out as a detached git worktree in
# build-bench/base-src (removed again at the end), built in Release (its library, sampo-cli and
# its own bench_assoc), and installed into build-bench/base-prefix; then THIS tree's benchmark
# sources are built against that installed library (bench/CMakeLists.txt standalone, into
# build-bench/base-bench), so both versions run the same benchmark code.  Its own bench_assoc
# serves as a check that this tree's benchmark code does the same work (instructions of one
# from-scratch association of 1000 subflows, both on the base library).
#
# Noise: the benchmarks of the two versions run in alternating rounds (this tree, base, base,
# this tree, ...; 5 rounds, 3 with --quick), and every compared figure is the median of the
# rounds; the noise of a figure is the spread of one version's rounds ((max - min) / median, the
# larger of the two), and a difference is called beyond the noise only when it exceeds it.
# Instruction counts and memory are exact (no noise).  The sampo-cli runs alternate the same way.
#
# Needs tshark (scripts/install-deps.sh --lab); valgrind for the instruction counts.
# Usage: bench/run.sh [--quick] [--base REF | --no-base] [--reps N] [--strict]
#   --quick     shorter runs and fewer rounds, for a smoke test (about 6 minutes on 2 busy cores;
#               the full run, about 25 minutes, counts 100k subflows' instructions too)
#   --base REF  the commit to compare with (default HEAD~1); --no-base: this tree alone
#   --reps N    rounds of each version (default 5, 3 with --quick)
#   --strict    exit with status 3 when a figure is more than 5 % worse than the base's: an exact
#               one (instructions, memory), or a time beyond the noise of the run (a time more than
#               5 % worse but within the noise is reported as inconclusive; without --strict every
#               flag is only reported)
# Builds with -j2 at most.  Writes docs/benchmarks.md; the raw figures of every round stay in
# build-bench/cmp/.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

usage() { sed -n 's/^# \{0,1\}//; /^Usage:/,/^Builds/p' "$0" | sed '$d'; }
quick=
base_ref=HEAD~1
reps=
strict=
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=--quick ;;
        --base) [ $# -ge 2 ] || { usage >&2; exit 2; }; base_ref=$2; shift ;;
        --base=*) base_ref=${1#--base=} ;;
        --no-base) base_ref= ;;
        --reps) [ $# -ge 2 ] || { usage >&2; exit 2; }; reps=$2; shift ;;
        --strict) strict=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done
if [ -n "$quick" ]; then
    : "${reps:=3}"
    cli_runs=4 tshark_runs=1
    cg_assoc="1000 10000" cg_lat="1000"
else
    : "${reps:=5}"
    cli_runs=10 tshark_runs=3
    cg_assoc="1000 10000 100000" cg_lat="1000 10000"
fi
case $reps in '' | *[!0-9]* | 0) echo "bench: --reps wants a positive number" >&2; exit 2 ;; esac
command -v tshark >/dev/null || { echo "bench: tshark is missing: scripts/install-deps.sh --lab"; exit 1; }
have_valgrind=
command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null && have_valgrind=1

B=$top/build-bench
say() { echo "bench: $*" >&2; }

# ---- this tree ---------------------------------------------------------------------------------
say "building this tree (Release) in build-bench/"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DSAMPO_BUILD_TESTS=OFF -DSAMPO_BUILD_PYTHON=OFF \
    -DSAMPO_BUILD_BENCH=ON >/dev/null
cmake --build "$B" -j2 >/dev/null

# ---- the base ----------------------------------------------------------------------------------
base_src=$B/base-src
base_commit='' base_short='' base_subject='' base_version=''
have_base_assoc='' have_base_lat='' have_base_hostile='' base_own_assoc=''
made_worktree=
cleanup() {
    if [ -n "$made_worktree" ]; then
        git worktree remove --force "$base_src" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "$base_ref" ]; then
    base_commit=$(git rev-parse --verify --quiet "$base_ref^{commit}") ||
        { echo "bench: --base $base_ref: no such commit" >&2; exit 2; }
    base_short=$(git rev-parse --short "$base_commit")
    base_subject=$(git log -1 --format=%s "$base_commit")
    say "base: $base_ref = $base_short ($base_subject)"
    # A worktree left by an interrupted run is ours (this path): replace it.
    if [ -e "$base_src" ]; then
        git worktree remove --force "$base_src" >/dev/null 2>&1 || rm -rf "$base_src"
    fi
    git worktree add --force --detach "$base_src" "$base_commit" >/dev/null 2>&1 ||
        { echo "bench: cannot check out $base_short into $base_src" >&2; exit 1; }
    made_worktree=1
    say "building the base (Release) in build-bench/base/, installing it into build-bench/base-prefix/"
    rm -rf "$B/base" "$B/base-prefix"
    cmake -S "$base_src" -B "$B/base" -DCMAKE_BUILD_TYPE=Release -DSAMPO_BUILD_TESTS=OFF \
        -DSAMPO_BUILD_PYTHON=OFF -DSAMPO_BUILD_BENCH=ON -DCMAKE_INSTALL_PREFIX="$B/base-prefix" >/dev/null
    cmake --build "$B/base" -j2 >/dev/null
    cmake --install "$B/base" --prefix "$B/base-prefix" >/dev/null
    base_version=$("$B/base/bin/sampo-cli" --version | head -1 | awk '{print $NF}')
    [ -x "$B/base/bin/bench_assoc" ] && base_own_assoc=$B/base/bin/bench_assoc
    say "building this tree's benchmarks against the base's library in build-bench/base-bench/"
    rm -rf "$B/base-bench"
    # pktgen.h (the packet builders) as the base has it: it follows the library's API.
    pktgen=
    [ -f "$base_src/tests/common/pktgen.h" ] && pktgen=$base_src/tests/common
    if cmake -S bench -B "$B/base-bench" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$B/base-prefix" -DSAMPO_BENCH_PKTGEN_DIR="$pktgen" >"$B/base-bench.log" 2>&1; then
        cmake --build "$B/base-bench" -j2 --target bench_latency >>"$B/base-bench.log" 2>&1 && have_base_lat=1
        cmake --build "$B/base-bench" -j2 --target bench_assoc >>"$B/base-bench.log" 2>&1 && have_base_assoc=1
        cmake --build "$B/base-bench" -j2 --target bench_hostile >>"$B/base-bench.log" 2>&1 && have_base_hostile=1
    fi
    [ -n "$have_base_lat" ] || say "this tree's bench_latency does not build against $base_short (build-bench/base-bench.log)"
    [ -n "$have_base_assoc" ] || say "this tree's bench_assoc does not build against $base_short (build-bench/base-bench.log)"
fi

# ---- timed rounds, interleaved -----------------------------------------------------------------
cmp=$B/cmp
rm -rf "$cmp"
mkdir -p "$cmp/new" "$cmp/base"
pcap=data/pcaps/lab-v1-paper.pcap
# bench_latency runs one case (mode, evidence, size) per invocation, so that the two versions
# alternate every few seconds rather than every minute.
lat_modes() { # BIN: the modes it measures (b needs libsampo >= 0.2.0)
    if "$1" --one 160 --mode b --seconds 0.01 --warmup 0.01 >/dev/null 2>&1; then echo "a b"; else echo a; fi
}
new_modes=$(lat_modes "$B/bin/bench_latency")
base_modes=
[ -n "$have_base_lat" ] && base_modes=$(lat_modes "$B/base-bench/bin/bench_latency")
lat_cases=
for m in a b; do
    for ev in dsn all; do
        for n in 1000 10000 100000; do
            case " $new_modes $base_modes " in *" $m "*) lat_cases="$lat_cases lat-$m-$ev-$n" ;; esac
        done
    done
done
run_job() { # version job round
    if [ "$1" = new ]; then bin=$B/bin; modes=$new_modes; else bin=$B/base-bench/bin; modes=$base_modes; fi
    case $2 in
        assoc)
            [ "$1" = new ] || [ -n "$have_base_assoc" ] || return 0
            say "round $3 of $reps: bench_assoc, $(label "$1")"
            "$bin/bench_assoc" $quick --pcap $pcap --tsv "$cmp/$1/assoc.$3.tsv" >"$cmp/$1/assoc.$3.md"
            ;;
        lat-*)
            # shellcheck disable=SC2046 # split on purpose: lat-MODE-EVIDENCE-SIZE
            set -- "$1" "$2" "$3" $(echo "$2" | tr - ' ') # ... lat MODE EVIDENCE SIZE
            case " $modes " in *" $5 "*) ;; *) return 0 ;; esac
            say "round $3 of $reps: bench_latency mode $5, $6, $7 subflows, $(label "$1")"
            "$bin/bench_latency" $quick --modes "$5" --evidence "$6" --sizes "$7" \
                --tsv "$cmp/$1/$2.$3.tsv" >"$cmp/$1/$2.$3.md"
            ;;
    esac
}
label() { if [ "$1" = new ]; then echo 'this tree'; else echo "base $base_short"; fi; }
r=1
while [ $r -le "$reps" ]; do
    # this tree first in odd rounds, the base first in even ones: new base, base new, new base ...
    if [ $((r % 2)) = 1 ]; then order="new base"; else order="base new"; fi
    for job in assoc $lat_cases; do
        for v in $order; do
            [ $v = new ] || [ -n "$base_commit" ] || continue
            run_job $v $job $r
        done
    done
    r=$((r + 1))
done
last=$reps

# The latency section of the document: this tree's cases of the last round in one table, the
# verdicts from the medians of all rounds.
lat_section() {
    first=
    for job in $lat_cases; do
        f=$cmp/new/$job.$last.md
        [ -f "$f" ] || continue
        if [ -z "$first" ]; then
            first=1
            sed -n '1,/^| --- /p' "$f"
        fi
        grep '^| [ab]\. ' "$f"
    done
    echo
    cat "$cmp"/new/lat-*.tsv 2>/dev/null | awk -F'\t' '
        function med(key,   n, i, j, t, a) { n = split(vals[key], a, " ")
            for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        { vals[$1] = vals[$1] " " $2 }
        END {
            nb = 0
            if ("lat.b.dsn.100000.p999" in vals) { bd = med("lat.b.dsn.100000.p999"); nb++ }
            if ("lat.b.all.100000.p999" in vals) { ba = med("lat.b.all.100000.p999"); nb++ }
            if (nb) {
                w = ("lat.b.dsn.100000.p999" in vals) ? bd : ba
                if (("lat.b.all.100000.p999" in vals) && ba > w) w = ba
                printf "**Off the path, p99.9 at 100k subflows: %.2f us** (", w / 1e3
                s = ""
                if ("lat.b.dsn.100000.p999" in vals) { printf "DSN only %.2f us", bd / 1e3; s = ", " }
                if ("lat.b.all.100000.p999" in vals) printf "%sall evidence %.2f us", s, ba / 1e3
                printf "; medians of the rounds): %s\n\n", (w > 5000 ? "**ABOVE the 5 us target (FLAG)**" : "within the 5 us target")
            } else
                print "Off the path, p99.9 at 100k subflows: not measured (libsampo older than 0.2.0: mode a only).\n"
            m = 0
            if ("lat.a.dsn.100000.max" in vals) m = med("lat.a.dsn.100000.max")
            if ("lat.a.all.100000.max" in vals && med("lat.a.all.100000.max") > m) m = med("lat.a.all.100000.max")
            if (m) printf "On the path (mode a), the packet that closes a window waits for the run: max at 100k subflows %.1f ms (median of the rounds).\n\n", m / 1e6
        }'
}

# ---- crafted input (docs/security.md) ----------------------------------------------------------
# bench_hostile once per version: this tree up to 1M crowd flows, the base where its quadratic
# runs still end (4000 flows: 16 M pairs).
if [ -n "$quick" ]; then hostile_new=1000,2000,4000,10000 hostile_base=1000,2000
else hostile_new=1000,2000,4000,10000,100000,1000000 hostile_base=1000,2000,4000; fi
say "bench_hostile, this tree ($hostile_new flows)"
"$B/bin/bench_hostile" --flows $hostile_new >"$cmp/new/hostile.md"
if [ -n "$have_base_hostile" ]; then
    say "bench_hostile, base $base_short ($hostile_base flows)"
    "$B/base-bench/bin/bench_hostile" --flows $hostile_base >"$cmp/base/hostile.md"
fi
hostile_section() {
    echo "## Crafted input: the DATA_ACK crowd"
    echo
    echo "\`bench/bench_hostile.c\`: N flows, each from its own host, whose 64-bit DSN spaces all overlap"
    echo "(\`tests/common/hostile.h\`; four packets per flow, one flow every 10 us), default options, then"
    echo "flushed. *False ties*: subflows tied to a session they did not open (every one is false here),"
    echo "from the end-of-life records. The attack and the rules that answer it: docs/security.md. One run each."
    echo
    echo "This tree:"
    echo
    cat "$cmp/new/hostile.md"
    if [ -f "$cmp/base/hostile.md" ]; then
        echo
        echo "Base $base_short, same run (larger sizes do not end in reasonable time or memory: the pairs"
        echo "grow as n (n - 1)):"
        echo
        cat "$cmp/base/hostile.md"
    fi
    echo
}

# ---- instructions ------------------------------------------------------------------------------
# cg_incl FILE FUNCTION: inclusive instructions of FUNCTION in a callgrind profile (0 if absent)
cg_incl() {
    callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null | awk -v f="$2" '
        { for (i = 2; i <= NF; i++) if ($i ~ (":" f "$")) { gsub(",", "", $1); print $1; found = 1; exit } }
        END { if (!found) print 0 }'
}
# instr_assoc VERSION BIN N: feed path and association run of bench_assoc --one N
instr_assoc() {
    f=$cmp/cg.assoc.$1.$3
    valgrind --tool=callgrind --toggle-collect=work_once --callgrind-out-file="$f" "$2" --one "$3" >/dev/null 2>&1
    feed=$(cg_incl "$f" bench_feed_phase)
    run=$(cg_incl "$f" bench_assoc_phase)
    printf 'instr.assoc.%s.feed\t%s\tinstructions\tlower\texact\tfrom scratch, %s subflows: feed path (every packet)\n' "$3" "$feed" "$3"
    printf 'instr.assoc.%s.run\t%s\tinstructions\tlower\texact\tfrom scratch, %s subflows: association run (flush)\n' "$3" "$run" "$3"
}
# instr_lat VERSION BIN N MODE TOKEN: per feed call and per run, bench_latency --one N (1 s measured)
instr_lat() {
    f=$cmp/cg.lat.$1.$3.$4.$5
    ev=$([ "$5" = 1 ] && echo all || echo dsn)
    evl=$([ "$5" = 1 ] && echo 'all evidence' || echo 'DSN only')
    out=$(valgrind --tool=callgrind --toggle-collect=bench_lat_feed --toggle-collect=bench_lat_feed_window \
        --toggle-collect=bench_lat_run --callgrind-out-file="$f" "$2" --one "$3" --mode "$4" --token "$5" \
        --seconds 1 2>/dev/null) || return 0
    set -- "$1" "$2" "$3" "$4" "$5" $out # packets N windows W timer_runs R runs_in_feed X mispredicted M
    pk=$7 win=$9 truns=${11} bad=${15}
    [ "$bad" = 0 ] || say "instructions, mode $4, $3 subflows: $bad feed calls ran association other than predicted"
    plain=$(cg_incl "$f" bench_lat_feed)
    wins=$(cg_incl "$f" bench_lat_feed_window)
    timer=$(cg_incl "$f" bench_lat_run)
    awk -v k="instr.lat.$4.$ev.$3" -v l="steady state, mode $4, $evl, $3 subflows" -v pk="$pk" -v win="$win" \
        -v tr="$truns" -v plain="$plain" -v wins="$wins" -v timer="$timer" 'BEGIN {
        if (pk - win > 0) printf "%s.packet\t%.1f\tinstructions\tlower\texact\t%s: per feed call without a run\n", k, plain / (pk - win), l
        if (win > 0) printf "%s.window\t%.0f\tinstructions\tlower\texact\t%s: per feed call that ran the association\n", k, wins / win, l
        if (tr > 0) printf "%s.run\t%.0f\tinstructions\tlower\texact\t%s: per sampo_ctx_run() call\n", k, timer / tr, l
    }'
}
codecheck=
if [ -n "$have_valgrind" ]; then
    for v in new base; do
        if [ $v = new ]; then bin=$B/bin; else bin=$B/base-bench/bin; [ -n "$base_commit" ] || continue; fi
        : >"$cmp/$v/instr.tsv"
        if [ $v = new ] || [ -n "$have_base_assoc" ]; then
            for n in $cg_assoc; do
                say "instructions: bench_assoc --one $n, $([ $v = new ] && echo 'this tree' || echo "base $base_short")"
                instr_assoc $v "$bin/bench_assoc" $n >>"$cmp/$v/instr.tsv"
            done
        fi
        if [ $v = new ] || [ -n "$have_base_lat" ]; then
            if [ $v = new ]; then modes=$new_modes; else modes=$base_modes; fi
            for mode in $modes; do
                for n in $cg_lat; do
                    for tok in 0 1; do
                        say "instructions: bench_latency --one $n --mode $mode --token $tok, $([ $v = new ] && echo 'this tree' || echo "base $base_short")"
                        instr_lat $v "$bin/bench_latency" $n $mode $tok >>"$cmp/$v/instr.tsv"
                    done
                done
            done
        fi
    done
    # The benchmark code check: the base's own bench_assoc and this tree's, on the base library.
    if [ -n "$base_own_assoc" ] && [ -n "$have_base_assoc" ]; then
        own=$(valgrind --tool=callgrind --toggle-collect=work_once --callgrind-out-file=/dev/null \
            "$base_own_assoc" --one 1000 2>&1 | sed -n 's/.*Collected : //p')
        ours=$(valgrind --tool=callgrind --toggle-collect=work_once --callgrind-out-file=/dev/null \
            "$B/base-bench/bin/bench_assoc" --one 1000 2>&1 | sed -n 's/.*Collected : //p')
        codecheck="$own $ours"
    fi
fi

# ---- documents ---------------------------------------------------------------------------------
out=docs/benchmarks.md
tmp=$(mktemp)
cli_tmp=$(mktemp)
cmp_tmp=$(mktemp)
base_label="base $base_short"
{
    echo "# Benchmarks"
    echo
    echo "Regenerated by \`bench/run.sh${quick:+ --quick}${base_commit:+ --base $base_short}\` on $(date -u +%Y-%m-%d), $(nproc) cores,"
    echo "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1),"
    echo "$(tshark --version | head -1 | sed "s/ (Git.*//"), sampo $("$B/bin/sampo-cli" --version | head -1 | awk '{print $NF}')"
    echo "(source tree $(git describe --always --dirty 2>/dev/null || echo unknown)), CMake Release build"
    echo "(\`-O3 -DNDEBUG\`). Wall times from CLOCK_MONOTONIC (bench_assoc, bench_latency) or"
    echo "the whole program (CLI vs tshark); one thread."
    if [ -n "$base_commit" ]; then
        echo
        echo "**Compared with the base commit $base_commit** (sampo $base_version, \"$base_subject\"),"
        echo "measured in the same run: the last section sets every figure beside the base's. Both versions"
        echo "run this tree's benchmark code, built against each library. The tables below are this tree's, from the"
        echo "last of $reps rounds; the comparison uses the medians of all rounds."
    fi
    echo
    echo "Commands:"
    echo
    echo '```sh'
    if [ -n "$base_commit" ]; then
        echo "bench/run.sh${quick:+ --quick} --base $base_commit   # everything below, into this file"
    else
        echo "bench/run.sh${quick:+ --quick} --no-base   # everything below, into this file"
    fi
    echo "build-bench/bin/bench_assoc --pcap data/pcaps/lab-v1-paper.pcap   # the first three sections"
    echo "build-bench/bin/bench_latency                  # the latency section"
    echo "bench/cli_vs_tshark.py build-bench/bin/sampo-cli data/pcaps/lab-*.pcap   # sampo-cli against tshark"
    echo '```'
    echo
    cat "$cmp/new/assoc.$last.md"
    lat_section
    if [ -n "$have_valgrind" ]; then
        echo "## Work against the number of subflows (instructions)"
        echo
        echo "Wall time depends on how much of the state fits in cache, and on the other work of the machine;"
        echo "the work does not. The same from-scratch association (feed every packet through"
        echo '`sampo_ctx_feed_batch()`, then `sampo_ctx_flush()`) run once under'
        echo '`valgrind --tool=callgrind --toggle-collect=work_once` (`bench_assoc --one N`), counting the'
        echo "instructions of that run only, split by \`callgrind_annotate --inclusive=yes\` into the feed path"
        echo "(\`bench_feed_phase\`) and the association run (\`bench_assoc_phase\`)."
        echo
        echo "| subflows | feed path | association run | total | per subflow | x per 10x |"
        echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
        awk -F'\t' '$1 ~ /^instr\.assoc\./ { split($1, k, "."); n = k[3]
                if (!(n in seen)) { seen[n] = 1; order[++m] = n }
                v[n, k[4]] = $2 }
            END { prev = 0
                for (i = 1; i <= m; i++) { n = order[i]; t = v[n, "feed"] + v[n, "run"]
                    printf "| %d | %.0f | %.0f | %.0f | %.0f | %s |\n", n, v[n, "feed"], v[n, "run"], t, t / n,
                        prev ? sprintf("x%.2f", t / prev) : "-"
                    prev = t } }' "$cmp/new/instr.tsv"
        echo
        echo "The work grows linearly with the number of subflows; the wall time of the first table grows"
        echo "faster from 10k to 100k because the state (about 1.5 KB per subflow with its segments, 150 MB"
        echo "at 100k) no longer fits in the cache of this machine, so most accesses go to DRAM."
        echo
        echo "In steady state (\`bench_latency --one N --mode M --token T --seconds 1\`: the traffic of the latency"
        echo "section, 1 s measured after the warm-up; callgrind collects inside the benchmark's wrappers of the"
        echo "measured calls only). In mode a the packets that close a window (by the library's window rule,"
        echo "checked against its run counter) are counted apart: they run the association."
        echo
        echo "| mode | evidence | subflows | per feed call without a run | per feed call that ran the association | per \`sampo_ctx_run()\` |"
        echo "| --- | --- | ---: | ---: | ---: | ---: |"
        awk -F'\t' '$1 ~ /^instr\.lat\./ { split($1, k, "."); id = k[3] "." k[4] "." k[5]
                if (!(id in seen)) { seen[id] = 1; order[++m] = id }
                v[id, k[6]] = $2 }
            function c(x) { return x == "" ? "-" : sprintf("%.0f", x) }
            END { for (i = 1; i <= m; i++) { id = order[i]; split(id, k, ".")
                    printf "| %s | %s | %d | %s | %s | %s |\n", k[1] == "a" ? "a. automatic" : "b. off the path",
                        k[2] == "all" ? "all" : "DSN only", k[3], c(v[id, "packet"]), c(v[id, "window"]), c(v[id, "run"]) } }' \
            "$cmp/new/instr.tsv"
        echo
        if [ -n "$codecheck" ]; then
            set -- $codecheck
            echo "Benchmark code check: on the base library, the base's own bench_assoc and this tree's count"
            echo "$1 and $2 instructions for the same from-scratch association of 1000 subflows"
            if awk -v a="$1" -v b="$2" 'BEGIN { d = (a - b) / a; exit !(a > 0 && d < 1e-4 && d > -1e-4) }'; then
                echo "(within 0.01 %: the same packets and the same work; a difference this small comes from the"
                echo "two programs' memory layout and the calls of this tree's phase functions)."
            else
                echo "(**they differ by more than 0.01 %**: this tree's benchmark code no longer does the base's"
                echo "work; the comparison below still runs one benchmark code on both libraries)."
            fi
            echo
        fi
    fi
    hostile_section
    echo "## sampo-cli against tshark (MPTCP association of a whole capture)"
    echo
    echo "tshark's reference command: \`tshark -r FILE -o mptcp.analyze_mptcp:TRUE -T fields -e tcp.stream -e mptcp.stream\`;"
    echo "sampo's: \`sampo-cli --format json FILE\` (all evidence). The result column checks sampo's"
    echo "sessions against the capture's ground truth (\`data/pcaps/*.truth.json\`) in the same run."
    echo "Wall times are medians of repeated runs of the whole program, output to /dev/null."
    if [ -n "$base_commit" ]; then
        echo "The base's sampo-cli ($base_short) runs beside this tree's, alternately (this tree, base, base, this"
        echo "tree, ...); the spreads are (max - min) / median of each one's runs."
    fi
    echo
} >"$tmp"
say "sampo-cli against tshark"
# shellcheck disable=SC2086
if [ -n "$base_commit" ]; then
    bench/cli_vs_tshark.py --runs $cli_runs --tshark-runs $tshark_runs --base-cli "$B/base/bin/sampo-cli" \
        --base-label "$base_short" --tsv-new "$cmp/new/cli.tsv" --tsv-base "$cmp/base/cli.tsv" \
        "$B/bin/sampo-cli" data/pcaps/lab-*.pcap >"$cli_tmp"
else
    bench/cli_vs_tshark.py --runs $cli_runs --tshark-runs $tshark_runs "$B/bin/sampo-cli" data/pcaps/lab-*.pcap >"$cli_tmp"
fi
cat "$cli_tmp" >>"$tmp"
say "sampo-cli throughput on a long capture"
{
    echo
    echo "## sampo-cli throughput on a long capture"
    echo
    echo "\`bench/cli_throughput.py\`: whole runs of \`sampo-cli --format F --no-progress LONG\`, output to"
    echo "/dev/null, where LONG (build-bench/lab-long.pcap) is every lab capture 4 times over, each copy"
    echo "an hour after the previous one, so that reading and analysis, not start-up, make the time."
    [ -n "$base_commit" ] && echo "The base's sampo-cli ($base_short) runs alternately with this tree's."
    echo
} >>"$tmp"
# shellcheck disable=SC2086
if [ -n "$base_commit" ]; then
    bench/cli_throughput.py --runs $cli_runs --base-cli "$B/base/bin/sampo-cli" --base-label "$base_short" \
        --tsv-new "$cmp/new/cli_long.tsv" --tsv-base "$cmp/base/cli_long.tsv" \
        --out "$B/lab-long.pcap" "$B/bin/sampo-cli" >>"$tmp"
else
    bench/cli_throughput.py --runs $cli_runs --out "$B/lab-long.pcap" "$B/bin/sampo-cli" >>"$tmp"
fi
status=0
if [ -n "$base_commit" ]; then
    bench/compare.py "$cmp/base" "$cmp/new" --base-label "$base_label" --new-label "this tree" \
        --status "$cmp/status" >"$cmp_tmp"
    {
        echo
        echo "## This tree against the base $base_short, same run"
        echo
        echo "Base: $base_commit (sampo $base_version), \"$base_subject\". To rerun:"
        echo "\`bench/run.sh${quick:+ --quick} --base $base_commit\` (add \`--strict\` to fail on a regression)."
        echo
        echo "Every figure of the sections above, of both versions: bench_assoc and bench_latency ran $reps"
        echo "times each, alternately (this tree, base, base, this tree, ...), so that a change in the load of the"
        echo "machine hits both alike; each figure is the median of its rounds (of its $cli_runs runs for sampo-cli)."
        echo "*Worse by* is the relative slowdown (a time that grows, or a rate that drops); *spread* is"
        echo "(max - min) / median of one version's rounds, the noise of this run. A difference of time is"
        echo "*beyond the noise* when it exceeds the larger spread of the two versions and no round of the worse"
        echo "version is better than any round of the other; *within* it otherwise. Instruction counts and memory"
        echo "are exact (the same code gives the same count, give or take a few hundredths of a percent from the"
        echo "programs' memory layout, e.g. glibc's memcmp near page ends). Every figure more than 5 % worse by"
        echo "the medians is flagged: a regression when exact or beyond the noise, inconclusive when within it"
        echo "(rerun with more \`--reps\`). With 3 rounds (\`--quick\`) identical code still comes out beyond the"
        echo "noise now and then; decide on the full run's 5 rounds and on the instruction counts."
        echo "Figures measured in one version only (mode b of bench_latency needs 0.2.0) have no ratio."
        echo
        cat "$cmp_tmp"
    } >>"$tmp"
    regress=$(sed -n 's/^regressions //p' "$cmp/status")
    summary=$(sed -n 's/^summary //p' "$cmp/status")
    [ -n "$strict" ] && [ "$regress" != 0 ] && status=3
fi
chmod 644 "$tmp"
mv "$tmp" "$out"
rm -f "$cli_tmp" "$cmp_tmp"
say "wrote $out (raw figures of every round in build-bench/cmp/)"
if [ -n "$base_commit" ]; then
    echo "$summary"
    [ "$status" = 0 ] || echo "bench: --strict: $regress figure(s) more than 5 % worse than $base_short beyond the noise" >&2
else
    echo "bench: no base to compare with (--no-base)"
fi
exit $status
