#!/usr/bin/env bash
# The real-client check: 'dotnet format analyzers' applies every AsyncPitfalls fix to a copy of the
# rule gallery, and the result must compile. Prints the AP diagnostics left afterwards (rules or
# shapes without a fix). The analyzers are referenced as projects, so the copy is built once first:
# dotnet format loads them from their build output.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && git ls-files -z | xargs -0 -I{} cp --parents {} "$work")
cd "$work"

ids=$(sed -n 's/^\(AP[0-9]\{4\}\) |.*/\1/p' src/AsyncPitfalls.Analyzers/AnalyzerReleases.*.md | sort -u | tr '\n' ' ')
dotnet build samples/RuleGallery --nologo -v q > /dev/null
# Each warning appears twice in a build log: count distinct (file, position, id).
count() { grep -oE "[^ ]+\.cs\([0-9]+,[0-9]+\): warning AP[0-9]{4}" | sort -u | grep -oE "AP[0-9]{4}" | sort | uniq -c || true; }
before=$(dotnet build samples/RuleGallery --no-incremental --nologo 2>&1 | count)
dotnet format analyzers samples/RuleGallery/RuleGallery.csproj --diagnostics $ids --severity info --no-restore > format.log 2>&1 || { cat format.log; exit 1; }
if ! after_log=$(dotnet build samples/RuleGallery --no-incremental --nologo 2>&1); then
  echo "$after_log" | grep -E "error" | sort -u
  echo "FAIL: the gallery does not compile after 'dotnet format analyzers' applied the fixes"
  exit 1
fi
changed=$(cd samples/RuleGallery && { diff -rq . "$root/samples/RuleGallery" -x bin -x obj || true; } | wc -l)
after=$(echo "$after_log" | count)
echo "ok: dotnet format analyzers changed $changed gallery files and the result compiles"
echo "AP warnings before:"; echo "$before"
echo "AP warnings left (no fix for these shapes):"; echo "${after:-  none}"
