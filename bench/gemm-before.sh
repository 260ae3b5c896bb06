#!/usr/bin/env bash
# Puts a previous commit's GEMM kernels beside today's for one BenchmarkDotNet run (GemmBeforeAfterBenchmarks), so that
# before and after are timed side by side, in one process, on the same packed weights:
#   bench/gemm-before.sh 3997654 /tmp/gemm-before
#   dotnet run -c Release --project bench/QuantGen.Bench -p:GemmBefore=/tmp/gemm-before -- --filter '*GemmBeforeAfter*' --inProcess --warmupCount 3 --iterationCount 15
# In process: the benchmark class exists only in a build with GemmBefore set. The files keep their text; only their
# namespace moves to QuantGen.Bench.Before.
set -euo pipefail
commit=$1
dir=$2
mkdir -p "$dir"
for kernel in Gemm128 Gemm256 Gemm256Wide Gemm512; do
  git show "$commit:src/QuantGen/Kernels/Int8/$kernel.cs" |
    sed 's/^namespace QuantGen\.Kernels\.Int8;$/namespace QuantGen.Bench.Before;\n\nusing QuantGen.Kernels.Int8;/' > "$dir/$kernel.cs"
done
echo "$commit" > "$dir/COMMIT"
