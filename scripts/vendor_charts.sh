#!/bin/sh
# Vendors the chart libraries from the npm registry into src/ambassade/static/vendor/, at the versions
# vl-convert-python renders with on the server (tests/analytics/test_charts.py checks they agree).
# Run by hand when upgrading vl-convert-python; the files are committed, nothing is fetched at run time.
set -eu
VEGA=6.2.0
VEGA_LITE=6.4.1
VEGA_EMBED=7.0.2
VEGA_INTERPRETER=2.3.2
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/src/ambassade/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for package in "vega@$VEGA" "vega-lite@$VEGA_LITE" "vega-embed@$VEGA_EMBED" "vega-interpreter@$VEGA_INTERPRETER"; do
  npm pack --silent "$package" >/dev/null
done
mkdir vega vega-lite vega-embed vega-interpreter
tar xzf "vega-$VEGA.tgz" -C vega
tar xzf "vega-lite-$VEGA_LITE.tgz" -C vega-lite
tar xzf "vega-embed-$VEGA_EMBED.tgz" -C vega-embed
tar xzf "vega-interpreter-$VEGA_INTERPRETER.tgz" -C vega-interpreter
cp vega/package/build/vega.min.js "$out/vega-$VEGA.min.js"
cp vega/package/LICENSE "$out/vega-$VEGA.LICENSE"
cp vega-lite/package/build/vega-lite.min.js "$out/vega-lite-$VEGA_LITE.min.js"
cp vega-lite/package/LICENSE "$out/vega-lite-$VEGA_LITE.LICENSE"
cp vega-embed/package/build/vega-embed.min.js "$out/vega-embed-$VEGA_EMBED.min.js"
cp vega-embed/package/LICENSE "$out/vega-embed-$VEGA_EMBED.LICENSE"
cp vega-interpreter/package/LICENSE "$out/vega-interpreter-$VEGA_INTERPRETER.LICENSE"
# vega-interpreter ships only as an ES module importing vega-util, which vega.min.js already exposes
# on `window.vega`: wrap it as a classic script that sets `window.vegaExpressionInterpreter`.
{
  echo "/* vega-interpreter $VEGA_INTERPRETER (BSD-3-Clause), wrapped by scripts/vendor_charts.sh */"
  echo "(function () {"
  echo "const { ascending, isString, DisallowedObjectProperties } = window.vega;"
  sed -e '/^import /d' -e 's/^export { expression as expressionInterpreter };$/window.vegaExpressionInterpreter = expression;/' \
    -e '/^\/\/# sourceMappingURL/d' vega-interpreter/package/build/vega-interpreter.js
  echo "})();"
} > "$out/vega-interpreter-$VEGA_INTERPRETER.js"
ls -l "$out"
