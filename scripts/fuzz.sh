#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (every parser of server data) for
# SECONDS each (60 by default), from the seeds in fuzz/seeds; stops at the
# first crash, whose input libFuzzer saves in fuzz/artifacts/<target>/.
#
#   cargo install cargo-fuzz          # once
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# A stable toolchain is enough: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass the
# flags it needs. The sanitizer is off: the code is safe Rust, a crash is a
# panic (or an allocation over libFuzzer's 2 GiB limit). Builds go to
# fuzz/target, the corpus grows in fuzz/corpus (both ignored by git).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
seconds=${1:-60}
shift || true
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  echo "== $target: ${seconds} s"
  cargo fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -dict=json.dict -print_final_stats=1
done
