#!/usr/bin/env bash
# Peak memory of the CLI (/usr/bin/time -v, maximum resident set size):
# `fit` on a 1M × 10 file against its size (target: below 2×), and on each
# input of a bad-input matrix (target: below 500 MB each). Prints one line
# per input and exits 1 when a target is missed.
#
#   bash scripts/memory.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --quiet
bin=target/release/gradstep
dir=target/memory
mkdir -p "$dir"

python3 - "$dir" <<'PY'
import os, random, sys
d = sys.argv[1]
r = random.Random(7)
def write(name, text):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        with open(p, 'w') as f:
            f.write(text)
p = os.path.join(d, 'rows-1m-x10.csv')
if not os.path.exists(p):
    w = [r.uniform(-2, 2) for _ in range(10)]
    with open(p, 'w') as f:
        f.write(','.join(['y'] + [f'x{j}' for j in range(10)]) + '\n')
        for i in range(1_000_000):
            x = [r.gauss(0, 1) for _ in range(10)]
            y = sum(a * b for a, b in zip(w, x)) + r.gauss(0, 0.1)
            f.write(f'{y:.6f},' + ','.join(f'{v:.6f}' for v in x) + '\n')
write('huge-values.csv', 'a,y\n1e308,1\n-1e308,2\n5e307,3\n')
write('huge-values-40.csv', 'a,y\n' + ''.join(f'{9 if k % 2 == 0 else -9}e307,{k}\n' for k in range(40)))
write('wide-10000-columns.csv', ','.join(f'c{j}' for j in range(10000)) + '\n' + ''.join(','.join(str(r.random()) for _ in range(10000)) + '\n' for _ in range(30)))
write('one-line-12m-fields.csv', '1,' * 12_500_000 + '1\n')
write('one-cell-50mb.csv', 'x,y\n"' + 'a' * 50_000_000 + '",1\n')
write('constant-target.csv', 'x,y\n' + ''.join(f'{k},5\n' for k in range(1000)))
write('text-only.csv', 'name,city\n' + ''.join(f'n{k},c{k % 7}\n' for k in range(100000)))
write('nan-everywhere.csv', 'x,y\n' + 'NaN,NaN\n' * 100000)
write('scales.csv', 'a,b,y\n' + ''.join(f'{r.random() * 1e-8},{r.random() * 1e8},{r.random()}\n' for _ in range(1000)))
write('binary.bin', ''.join(chr(r.randrange(256)) for _ in range(1 << 20)))
write('empty.csv', '')
write('tiny.csv', 'x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n')
PY

status=0
measure() { # label limit-bytes file args...
  local label=$1 limit=$2 file=$3
  shift 3
  local log
  log=$(mktemp)
  local start end code
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -v "$bin" "$@" "$file" >/dev/null 2>"$log"
  code=$?
  set -e
  end=$(date +%s.%N)
  local kb
  kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$log")
  local size
  size=$(stat -c %s "$file")
  local verdict=ok
  if [ $((kb * 1024)) -gt "$limit" ]; then verdict=OVER; status=1; fi
  printf '%-28s %9.1f MB file %8.1f MB peak (%4.2f× file) exit %d %6.1f s  limit %6.0f MB  %s\n' \
    "$label" "$(echo "$size / 1048576" | bc -l)" "$(echo "$kb / 1024" | bc -l)" \
    "$(echo "$kb * 1024 / ($size + 1)" | bc -l)" "$code" "$(echo "$end - $start" | bc -l)" \
    "$(echo "$limit / 1048576" | bc -l)" "$verdict"
  rm -f "$log"
}

size=$(stat -c %s "$dir/rows-1m-x10.csv")
measure "fit 1M × 10" $((size * 2)) "$dir/rows-1m-x10.csv" fit --steps 100
measure "fit 1M × 10 --standardize" $((size * 2)) "$dir/rows-1m-x10.csv" fit --standardize --steps 100
for f in huge-values huge-values-40 wide-10000-columns one-line-12m-fields one-cell-50mb constant-target text-only nan-everywhere scales empty; do
  file="$dir/$f.csv"
  measure "fit $f" $((500 << 20)) "$file" fit --steps 1000
done
measure "fit binary" $((500 << 20)) "$dir/binary.bin" fit
measure "fit --l2 1e308" $((500 << 20)) "$dir/scales.csv" fit --l2 1e308 --steps 100
measure "fit --lr 1e308" $((500 << 20)) "$dir/scales.csv" fit --standardize --lr 1e308 --steps 100
measure "fit --tol 0 --steps 1e8" $((500 << 20)) "$dir/tiny.csv" fit --standardize --tol 0 --steps 1e8
measure "fit --json --history 1e7" $((500 << 20)) "$dir/tiny.csv" fit --standardize --tol 0 --steps 1e7 --json --history
measure "inspect one-line-12m-fields" $((500 << 20)) "$dir/one-line-12m-fields.csv" inspect
exit $status
