#!/usr/bin/env bash
# Every way a team sets severities, under every preset, through real builds of the packed package; called by
# eng/check-adoption.sh once the package is packed and NUGET_PACKAGES is a fresh cache. A probe project (a copy
# of eng/adoption/Worker.cs in four folders) is built twice per preset, with the SARIF 2.1 log of docs/ci.md
# (-p:ErrorLog=<file>%2Cversion=2.1), which records Info-level results too:
#   .editorconfig  Plain/ has no line of the user's (the preset alone); RuleLine/, CategoryLine/ and AllLine/ each
#                  have one section with a rule line (AP1001), a category line (AsyncPitfalls.Blocking) or the
#                  all-analyzers line
#   global config  one team.globalconfig with a rule line (AP1001), a category line (AsyncPitfalls.UnawaitedTasks,
#                  so AP2006) and the all-analyzers line (so AP1002)
# Each line of the user's asks for a severity the preset does not give, and must win; the one exception, documented
# in docs/configuration.md, is the all-analyzers line under Strict. The mode is set each way a team sets it: in
# Directory.Build.props, in Directory.Build.targets, on the command line, in lower and upper case.
# sarif_check.py also checks the log's rule metadata and help links.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$root/Directory.Build.props")
: "${NUGET_PACKAGES:?run from eng/check-adoption.sh, which packs the package and sets a fresh NuGet cache}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/samples/Adoption/." "$work/"
sed -i "s#value=\"../../artifacts\"#value=\"$root/artifacts\"#" "$work/NuGet.config"
probe="$work/src/Probe"
mkdir -p "$probe"
cat > "$probe/Probe.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup Condition="Exists('team.globalconfig')">
    <GlobalAnalyzerConfigFiles Include="team.globalconfig" />
  </ItemGroup>
</Project>
XML
folders=(Plain RuleLine CategoryLine AllLine)
for folder in "${folders[@]}"; do
  mkdir -p "$probe/$folder"
  sed "s/Probe.Folder/Probe.$folder/" "$root/eng/adoption/Worker.cs" > "$probe/$folder/Worker.cs"
done

# What the preset alone gives each probed rule, as a SARIF level ("absent": not reported).
preset_level() { # preset rule
  case "$1" in
    Recommended) echo warning ;;
    Strict) echo error ;;
    Suggestions) echo note ;;
    Tests) if [ "$2" = AP1001 ]; then echo absent; else echo warning; fi ;;
    None) echo absent ;;
  esac
}

build() { # label, extra arguments...
  local label="$1"; shift
  local sarif="$work/$label.sarif"
  dotnet build "$probe/Probe.csproj" --no-incremental --nologo -v q -p:AsyncPitfallsVersion="$version" \
    -p:ErrorLog="$sarif%2Cversion=2.1" "$@" > "$work/$label.log" 2>&1 || true
  [ -f "$sarif" ] || { cat "$work/$label.log" >&2; echo "FAIL: $label wrote no SARIF log" >&2; exit 1; }
  echo "$sarif"
}

for preset in Recommended Strict Suggestions Tests None; do
  rm -f "$probe/Directory.Build.props" "$probe/Directory.Build.targets" "$probe/.editorconfig" "$probe/team.globalconfig"
  mode_args=()
  case "$preset" in
    Recommended) how="no AsyncPitfallsMode" ;;
    Strict) how="'strict' in Directory.Build.targets"
      printf '<Project>\n  <PropertyGroup>\n    <AsyncPitfallsMode>strict</AsyncPitfallsMode>\n  </PropertyGroup>\n</Project>\n' > "$probe/Directory.Build.targets" ;;
    Suggestions) how="-p:AsyncPitfallsMode=suggestions"; mode_args=(-p:AsyncPitfallsMode=suggestions) ;;
    Tests) how="'Tests' in Directory.Build.props"
      printf '<Project>\n  <Import Project="../../Directory.Build.props" />\n  <PropertyGroup>\n    <AsyncPitfallsMode>Tests</AsyncPitfallsMode>\n  </PropertyGroup>\n</Project>\n' > "$probe/Directory.Build.props" ;;
    None) how="-p:AsyncPitfallsMode=NONE"; mode_args=(-p:AsyncPitfallsMode=NONE) ;;
  esac
  # A severity the preset does not give the probed rules, as written in configuration and as SARIF records it.
  case "$preset" in
    Recommended|Tests) user=error; user_level=error ;;
    *) user=warning; user_level=warning ;;
  esac
  all_line_level="$user_level"
  [ "$preset" = Strict ] && all_line_level=error

  printf 'root = true\n\n[RuleLine/*.cs]\ndotnet_diagnostic.AP1001.severity = %s\n\n[CategoryLine/*.cs]\ndotnet_analyzer_diagnostic.category-AsyncPitfalls.Blocking.severity = %s\n\n[AllLine/*.cs]\ndotnet_analyzer_diagnostic.severity = %s\n' \
    "$user" "$user" "$user" > "$probe/.editorconfig"
  expect=""
  for rule in AP1001 AP1002 AP2006; do
    expect+=" Plain:$rule=$(preset_level "$preset" "$rule")"
    expect+=" AllLine:$rule=$([ "$preset" = Strict ] && echo error || echo "$user_level")"
  done
  expect+=" RuleLine:AP1001=$user_level RuleLine:AP1002=$(preset_level "$preset" AP1002) RuleLine:AP2006=$(preset_level "$preset" AP2006)"
  expect+=" CategoryLine:AP1001=$user_level CategoryLine:AP1002=$user_level CategoryLine:AP2006=$(preset_level "$preset" AP2006)"
  sarif=$(build "$preset-editorconfig" ${mode_args[@]+"${mode_args[@]}"})
  python3 "$root/eng/adoption/sarif_check.py" "$sarif" "$root" "$expect" || { cat "$work/$preset-editorconfig.log"; echo "FAIL: $preset ($how) with .editorconfig lines"; exit 1; }

  rm -f "$probe/.editorconfig"
  printf 'is_global = true\ndotnet_diagnostic.AP1001.severity = %s\ndotnet_analyzer_diagnostic.category-AsyncPitfalls.UnawaitedTasks.severity = %s\ndotnet_analyzer_diagnostic.severity = %s\n' \
    "$user" "$user" "$user" > "$probe/team.globalconfig"
  sarif=$(build "$preset-globalconfig" ${mode_args[@]+"${mode_args[@]}"})
  python3 "$root/eng/adoption/sarif_check.py" "$sarif" "$root" "Plain:AP1001=$user_level Plain:AP2006=$user_level Plain:AP1002=$all_line_level" \
    || { cat "$work/$preset-globalconfig.log"; echo "FAIL: $preset ($how) with a global config of the team's"; exit 1; }
  echo "ok: $preset ($how): the preset alone, and a rule, category and all-analyzers line in .editorconfig and in a global config"
done

# docs/ci.md's gate on the package's warnings alone: they fail the build, the compiler's own warning does not.
rm -f "$probe/Directory.Build.props" "$probe/Directory.Build.targets" "$probe/team.globalconfig" "$probe/.editorconfig"
if log=$(dotnet build "$probe/Probe.csproj" --no-incremental --nologo -p:AsyncPitfallsVersion="$version" -p:AsyncPitfallsWarningsAsErrors=true 2>&1); then
  echo "$log"; echo "FAIL: AsyncPitfallsWarningsAsErrors=true did not fail the build"; exit 1
fi
grep -q "error AP1002" <<<"$log" && grep -q "warning CS0219" <<<"$log" && ! grep -q "error CS0219" <<<"$log" \
  || { echo "$log"; echo "FAIL: AsyncPitfallsWarningsAsErrors=true should make AP1002 an error and leave CS0219 a warning"; exit 1; }
echo "ok: AsyncPitfallsWarningsAsErrors=true fails the build on the package's warnings and on nothing else"

# An unknown mode warns once and keeps the defaults.
rm -f "$probe/Directory.Build.props" "$probe/Directory.Build.targets" "$probe/team.globalconfig"
log=$(dotnet build "$probe/Probe.csproj" --no-incremental --nologo -p:AsyncPitfallsVersion="$version" -p:AsyncPitfallsMode=Strcit 2>&1) || true
grep -q "warning AP0001" <<<"$log" || { echo "$log"; echo "FAIL: an unknown AsyncPitfallsMode gives no AP0001"; exit 1; }
grep -q "warning AP1002" <<<"$log" || { echo "$log"; echo "FAIL: an unknown AsyncPitfallsMode does not keep the defaults"; exit 1; }
echo "ok: an unknown AsyncPitfallsMode warns (AP0001) and keeps the defaults"

# docs/ci.md's per-project SARIF recipe, taken from the page as written, in the two-project sample: CI=true turns
# it on, and each project must write its own SARIF 2.1.0 log into the folder the build creates.
recipe=$(awk '/^## A SARIF log per project/ {section=1} section && /^```xml/ {inside=1; next} inside && /^```/ {exit} inside {print}' "$root/docs/ci.md")
[ -n "$recipe" ] || { echo "FAIL: docs/ci.md has no xml block under '## A SARIF log per project'"; exit 1; }
python3 - "$work/Directory.Build.props" "$recipe" <<'PY'
import sys
path, recipe = sys.argv[1], sys.argv[2]
text = open(path).read()
open(path, "w").write(text.replace("</Project>", recipe + "\n</Project>"))
PY
dotnet build "$work/Adoption.sln" --no-incremental --nologo -v q -p:AsyncPitfallsVersion="$version" -p:CI=true > "$work/sarif-recipe.log" 2>&1 \
  || { cat "$work/sarif-recipe.log"; echo "FAIL: the sample does not build with docs/ci.md's SARIF recipe"; exit 1; }
for project in Orders.Core Orders.App; do
  log="$work/artifacts/sarif/$project.net10.0.sarif"
  [ -f "$log" ] || { ls -R "$work/artifacts" 2>/dev/null; echo "FAIL: docs/ci.md's SARIF recipe wrote no $log"; exit 1; }
  python3 "$root/eng/adoption/sarif_check.py" "$log" "$root" "" || { echo "FAIL: $log"; exit 1; }
  jq -e '[.runs[0].results[] | select(.ruleId == "AP1002")] | length == 1' "$log" > /dev/null \
    || { echo "FAIL: $log does not hold the project's AP1002"; exit 1; }
done
echo "ok: docs/ci.md's SARIF recipe writes one SARIF 2.1.0 log per project of the sample, with its findings"
