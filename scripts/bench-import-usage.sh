#!/usr/bin/env bash
# Benchmark of `worth import usage` against DuckDB computing the same aggregates (daily sessions
# and distinct users per app, monthly distinct app-user pairs) on the same file, one after the
# other on the same machine. Prints both wall times, the ratio and both peak memories, and checks
# that both found the same totals.
#
#   scripts/bench-import-usage.sh [ROWS]        (default 10000000; BENCH_DIR keeps the files)
#
# The file is made by scripts/gen-usage.py (seeded: the same ROWS give the same file). DuckDB
# comes from PyPI (pip install duckdb) and uses every core; Worth also pseudonymizes every user
# and writes its rollups to a SQLite store, in one transaction.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-10000000}"
WORK="${BENCH_DIR:-${TMPDIR:-/tmp}/worth-bench-usage}"
mkdir -p "$WORK"
TARGET="${CARGO_TARGET_DIR:-target}"

echo "== building worth (release)" >&2
cargo build --release -p worth-cli >&2
BIN="$TARGET/release/worth"
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb >&2

FILE="$WORK/usage-$ROWS.csv"
if [ ! -f "$FILE" ]; then
    echo "== generating $ROWS rows into $FILE" >&2
    python3 scripts/gen-usage.py "$ROWS" "$FILE"
fi
ls -l "$FILE" >&2

echo "== worth import usage" >&2
rm -f "$WORK"/bench.db* "$WORK"/bench.key "$WORK"/worth-rejects-*
"$BIN" --db "$WORK/bench.db" init >/dev/null 2>&1
/usr/bin/time -v -o "$WORK/worth.time" \
    "$BIN" --db "$WORK/bench.db" --format json import usage "$FILE" >"$WORK/worth.json"

echo "== duckdb" >&2
cat >"$WORK/duckdb_usage.py" <<'PY'
import json, sys
import duckdb

path = sys.argv[1]
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute(
    "CREATE TEMP TABLE u AS SELECT lower(trim(AppId)) AS app, lower(trim(ObjectID)) AS usr, "
    "lower(trim(SessionId)) AS sess, CAST(CAST(timeaccessed AS TIMESTAMPTZ) AS DATE) AS day "
    "FROM read_csv(?, header = true, all_varchar = true)",
    [path],
)
daily = con.execute(
    "SELECT app, day, count(DISTINCT sess) AS sessions, count(DISTINCT usr) AS users "
    "FROM u GROUP BY app, day"
).fetchall()
pairs = con.execute(
    "SELECT count(*) FROM (SELECT DISTINCT app, date_trunc('month', day), usr FROM u)"
).fetchone()[0]
print(json.dumps({
    "app_days": len(daily),
    "sessions": sum(r[2] for r in daily),
    "user_days": sum(r[3] for r in daily),
    "monthly_pairs": pairs,
}))
PY
/usr/bin/time -v -o "$WORK/duckdb.time" python3 "$WORK/duckdb_usage.py" "$FILE" >"$WORK/duckdb.json"

python3 - "$WORK" <<'PY'
import json, re, sqlite3, sys
work = sys.argv[1]

def measure(name):
    text = open(f"{work}/{name}.time").read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return seconds, rss_kb / 1024

db = sqlite3.connect(f"{work}/bench.db")
ours = {
    "app_days": db.execute("SELECT count(*) FROM usage_daily").fetchone()[0],
    "sessions": db.execute("SELECT sum(sessions) FROM usage_daily").fetchone()[0],
    "user_days": db.execute("SELECT sum(users) FROM usage_daily").fetchone()[0],
    "monthly_pairs": db.execute("SELECT count(*) FROM (SELECT DISTINCT system, external_id, month, user_key FROM usage_monthly_users)").fetchone()[0],
}
theirs = json.load(open(f"{work}/duckdb.json"))
summary = json.load(open(f"{work}/worth.json"))
w_s, w_mb = measure("worth")
d_s, d_mb = measure("duckdb")
print(f"rows read            {summary['files'][0]['read']:>12}")
print(f"worth import usage   {w_s:8.2f} s   peak {w_mb:7.1f} MB")
print(f"duckdb               {d_s:8.2f} s   peak {d_mb:7.1f} MB")
print(f"ratio (duckdb/worth) {d_s / w_s:8.2f}   (above 1: worth is faster)")
for k in ours:
    mark = "same" if ours[k] == theirs[k] else "DIFFERENT"
    print(f"{k:<20} worth {ours[k]:>12}  duckdb {theirs[k]:>12}  {mark}")
PY
