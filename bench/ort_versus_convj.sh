#!/bin/sh
# ConvJ's compiled inference graph against ONNX Runtime's Java API on the same ONNX files, images/s at batch 256,
# 1 and 2 threads (OrtVersusConvjBench in onnx's test sources). Run from the repository root:
#   bench/ort_versus_convj.sh [--seconds 3 --repeats 3 --threads 1,2 --batch 256] [FILE.onnx ...]
# Without files it writes full-size LeNet-5 and the small VGG (the built-in models' layouts) with PyTorch's exporter
# into target/onnx-bench (needs Debian's python3-torch) and times those.
set -e
cd "$(dirname "$0")/.."
mkdir -p target
mvn -B -o -q -pl onnx -am test-compile
mvn -B -o -q -pl onnx dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/target/onnx-bench.cp"
cp=onnx/target/test-classes:onnx/target/classes:dsl/target/classes:graph/target/classes:codegen/target/classes
cp=$cp:runtime/target/classes:$(tr ':' '\n' < target/onnx-bench.cp | grep -v '/dev/convj/' | paste -sd: -)
files=
for a in "$@"; do case "$a" in *.onnx) files=1 ;; esac; done
if [ -z "$files" ]; then
  mkdir -p target/onnx-bench
  /usr/bin/python3 onnx/src/test/resources/onnx/make_fixtures.py --bench target/onnx-bench >/dev/null 2>&1
  set -- "$@" target/onnx-bench/lenet5.opset17.onnx target/onnx-bench/vgg.opset17.onnx
fi
exec java --add-modules jdk.incubator.vector -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow \
  -cp "$cp" dev.convj.onnx.bench.OrtVersusConvjBench "$@"
