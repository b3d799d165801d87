#!/usr/bin/env bash
# The asyncpitfalls tool as a user meets it: packed into artifacts/AsyncPitfalls.Tool.<version>.nupkg, installed from
# that file alone into a fresh --tool-path (a NuGet config with only artifacts/ as a source, and a fresh NuGet cache),
# then run. Asserts that:
#   1. 'scan samples/Adoption' (a folder: it finds Adoption.sln) reports the sample's two AP1002 warnings,
#   2. 'scan AsyncPitfalls.sln --format markdown' (this repository's own solution) writes a Markdown summary,
#   3. a baseline round on a copy of samples/Adoption: 'baseline write' records its findings; 'check' passes, and so
#      does 'dotnet build -warnaserror' (the package's suppressor reads the same file); a new Thread.Sleep fails 'check'
#      (exit 1) with its file and line, and the build on exactly that line; a fixed one is listed; 'prune' drops it,
#   4. a team's code with many findings (samples/FixCorpus's application code added to a copy of samples/Adoption,
#      every rule a warning), gated with AsyncPitfallsWarningsAsErrors: it fails before a baseline; passes with the
#      baseline 'baseline write' made; still passes after lines are inserted in every file and two members swap
#      places; and fails on every finding again once the baseline file is deleted,
# and prints how long each run took. SKIP_PACK=1 reuses the packed packages when they are there (.ci/run: the analyzer
# package of the adoption step).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
tool_package="artifacts/AsyncPitfalls.Tool.$version.nupkg"
package="artifacts/AsyncPitfalls.$version.nupkg"
if [ "${SKIP_PACK:-}" != "1" ] || [ ! -f "$tool_package" ]; then
  dotnet pack src/AsyncPitfalls.Tool/AsyncPitfalls.Tool.csproj -c Release --nologo -v quiet
fi
[ -f "$tool_package" ] || { echo "FAIL: $tool_package was not written"; exit 1; }
# samples/Adoption consumes the analyzer package (GlobalPackageReference): its restore needs it, and its builds below
# check that the package's baseline suppressor agrees with the baseline the tool writes.
if [ "${SKIP_PACK:-}" != "1" ] || [ ! -f "$package" ]; then
  dotnet pack nuget/AsyncPitfalls.Package.csproj -c Release --nologo -v quiet
fi

listing=$(unzip -Z1 "$tool_package")
for expected in "tools/net10.0/any/DotnetToolSettings.xml" "tools/net10.0/any/AsyncPitfalls.Tool.dll" \
                "tools/net10.0/any/AsyncPitfalls.Analyzers.dll" "README.md"; do
  grep -qx "$expected" <<<"$listing" || { echo "FAIL: $tool_package lacks $expected"; exit 1; }
done
grep -q '^tools/net10.0/any/BuildHost-netcore/' <<<"$listing" \
  || { echo "FAIL: $tool_package lacks MSBuild's build host (tools/net10.0/any/BuildHost-netcore/)"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/nuget-cache"
cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="artifacts" value="$root/artifacts" />
  </packageSources>
</configuration>
XML
dotnet tool install AsyncPitfalls.Tool --version "$version" --tool-path "$work/tools" --configfile "$work/NuGet.config" >/dev/null
tool="$work/tools/asyncpitfalls"
"$tool" --help | grep -q "baseline" || { echo "FAIL: 'asyncpitfalls --help' does not list the baseline command"; exit 1; }
echo "ok: installed AsyncPitfalls.Tool $version from $tool_package into a tool path"

# Runs the installed tool; its stdout to the file $1, stderr (progress) kept for a failure; prints the time taken.
seconds=0
run() {
  local out="$1"; shift
  local start=$SECONDS status=0
  "$tool" "$@" >"$out" 2>"$work/stderr" || status=$?
  seconds=$((SECONDS - start))
  return $status
}
fail() { echo "--- stdout"; cat "$1"; echo "--- stderr"; cat "$work/stderr"; echo "FAIL: $2"; exit 1; }

# 1. A folder: the tool finds the solution in it. The sample is restored against the packed analyzer package.
adoption="$work/adoption"
cp -r samples/Adoption/. "$adoption/"
sed -i "s#value=\"../../artifacts\"#value=\"$root/artifacts\"#" "$adoption/NuGet.config"
sed -i "s#<AsyncPitfallsVersion Condition=\"'\$(AsyncPitfallsVersion)' == ''\">[^<]*<#<AsyncPitfallsVersion Condition=\"'\$(AsyncPitfallsVersion)' == ''\">$version<#" "$adoption/Directory.Packages.props"
dotnet restore "$adoption/Adoption.sln" --nologo -v quiet >/dev/null
run "$work/scan.txt" scan "$adoption" || fail "$work/scan.txt" "'scan samples/Adoption' failed"
grep -Eq '^AP1002 +2 +warning ' "$work/scan.txt" || fail "$work/scan.txt" "'scan samples/Adoption' does not report its two AP1002 warnings"
echo "ok: scan samples/Adoption reports its two AP1002 warnings (${seconds} s)"
cat "$work/scan.txt"

# 2. This repository's own solution (restored by the build steps before this one; a no-op restore otherwise).
unset NUGET_PACKAGES
dotnet restore AsyncPitfalls.sln --nologo -v quiet >/dev/null
run "$work/self.md" scan AsyncPitfalls.sln --format markdown || fail "$work/self.md" "'scan AsyncPitfalls.sln' failed"
grep -q '^# AsyncPitfalls scan of `AsyncPitfalls.sln`' "$work/self.md" || fail "$work/self.md" "the Markdown report has no title"
grep -q '^| AsyncPitfalls.Analyzers | ' "$work/self.md" || fail "$work/self.md" "the Markdown report has no row for src/AsyncPitfalls.Analyzers"
if grep -q 'compiler errors' "$work/self.md"; then fail "$work/self.md" "a project of this solution did not compile in the tool"; fi
echo "ok: scan AsyncPitfalls.sln --format markdown ($(grep -c '^| ' "$work/self.md") table rows, ${seconds} s)"
sed -n '3p' "$work/self.md"
export NUGET_PACKAGES="$work/nuget-cache"

# 3. A baseline round on the copy of samples/Adoption: its two AP1002 warnings and whatever Info rules find there.
baseline="$adoption/asyncpitfalls.baseline.json"
run "$work/out.txt" baseline write "$adoption" || fail "$work/out.txt" "'baseline write' failed"
entries=$(grep -c '"rule": ' "$baseline" || true)
[ "$(grep -c '"rule": "AP1002"' "$baseline")" -eq 2 ] || { cat "$baseline"; echo "FAIL: the baseline does not hold the sample's two AP1002 findings"; exit 1; }
echo "ok: baseline write recorded $entries findings in asyncpitfalls.baseline.json (${seconds} s)"
run "$work/out.txt" baseline check "$adoption" || fail "$work/out.txt" "'baseline check' failed right after 'baseline write'"
grep -q "0 new, 0 fixed, $entries unchanged" "$work/out.txt" || fail "$work/out.txt" "'baseline check' right after 'baseline write' is not clean"
echo "ok: baseline check passes right after baseline write (${seconds} s)"
build() { dotnet build "$adoption/Adoption.sln" --no-incremental --nologo -p:AsyncPitfallsVersion="$version" "$@" 2>&1; }
log=$(build -warnaserror) || { echo "$log"; echo "FAIL: with the tool's baseline, the package's build still fails on the baselined findings"; exit 1; }
echo "ok: with the baseline the tool wrote, 'dotnet build -warnaserror' of the sample passes (the package's suppressor agrees)"

# A new Thread.Sleep in a new member (which moves the lines below it), and the top-level one fixed.
service="$adoption/src/Orders.Core/OrderService.cs"
sed -i 's|    public void Ship(int orderId)|    public async Task PollAsync()\n    {\n        Thread.Sleep(50);\n        await Task.Yield();\n    }\n\n    public void Ship(int orderId)|' "$service"
sleep_line=$(grep -n 'Thread.Sleep(50)' "$service" | cut -d: -f1)
sed -i 's|^Thread.Sleep(100);.*$|await Task.Delay(100);|' "$adoption/src/Orders.App/Program.cs"
status=0; run "$work/out.txt" baseline check "$adoption" || status=$?
[ "$status" -eq 1 ] || fail "$work/out.txt" "'baseline check' with a new finding exited $status, not 1"
grep -q "src/Orders.Core/OrderService.cs:$sleep_line:[0-9]*: warning AP1002" "$work/out.txt" || fail "$work/out.txt" "the new finding is not listed at OrderService.cs:$sleep_line"
grep -q "1 new, 1 fixed, $((entries - 1)) unchanged" "$work/out.txt" || fail "$work/out.txt" "'baseline check' does not count 1 new, 1 fixed, $((entries - 1)) unchanged"
grep -q '  src/Orders.App/Program.cs: AP1002' "$work/out.txt" || fail "$work/out.txt" "the fixed finding is not listed"
echo "ok: baseline check fails on a new Thread.Sleep (exit 1, OrderService.cs:$sleep_line) and lists the fixed one (${seconds} s)"
cat "$work/out.txt"
if log=$(build -warnaserror); then echo "$log"; echo "FAIL: the build passes with a finding the baseline lacks"; exit 1; fi
errors=$(grep -E ': error AP[0-9]+' <<<"$log" | sed 's/ \[.*//' | sort -u)
[ "$(grep -c . <<<"$errors")" -eq 1 ] && grep -q "OrderService.cs($sleep_line,[0-9]*): error AP1002" <<<"$errors" \
  || { echo "$log"; echo "FAIL: the build's errors are not exactly the new AP1002 at OrderService.cs:$sleep_line"; exit 1; }
echo "ok: the build fails on exactly the new finding too"

run "$work/out.txt" baseline prune "$adoption" || fail "$work/out.txt" "'baseline prune' failed"
[ "$(grep -c '"rule": ' "$baseline")" -eq $((entries - 1)) ] || { cat "$baseline"; echo "FAIL: 'baseline prune' did not remove exactly the fixed entry"; exit 1; }
if grep -q 'Orders.App' "$baseline"; then cat "$baseline"; echo "FAIL: 'baseline prune' kept the fixed entry"; exit 1; fi
echo "ok: baseline prune removed the fixed entry and added nothing (${seconds} s)"

# 4. A team's code with many findings: the fix corpus's application code in a copy of the sample, every rule a warning,
#    the build gated on the package's warnings only (the corpus's own nullable warnings stay warnings).
team="$work/team"
cp -r samples/Adoption/. "$team/"
sed -i "s#value=\"../../artifacts\"#value=\"$root/artifacts\"#" "$team/NuGet.config"
mkdir -p "$team/src/Orders.Core/Legacy"
(cd samples/FixCorpus && find . -name '*.cs' -not -path './obj/*' -not -path './bin/*' -exec cp --parents {} "$team/src/Orders.Core/Legacy/" \;)
cp samples/FixCorpus/FixCorpus.globalconfig "$team/src/Orders.Core/AllRulesAsWarnings.globalconfig"
cat > "$team/src/Orders.Core/Orders.Core.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup>
    <GlobalAnalyzerConfigFiles Include="AllRulesAsWarnings.globalconfig" />
    <!-- The corpus's dependency-injection scopes, as samples/FixCorpus references them: the shared framework. -->
    <FrameworkReference Include="Microsoft.AspNetCore.App" />
  </ItemGroup>
</Project>
XML
gate() { dotnet build "$team/Adoption.sln" --no-incremental --nologo -p:AsyncPitfallsVersion="$version" -p:AsyncPitfallsWarningsAsErrors=true 2>&1; }
ap_errors() { grep -E ': error AP[0-9]+' <<<"$1" | sed 's/ \[.*//' | sort -u | grep -c . || true; }
if log=$(gate); then echo "$log"; echo "FAIL: the team's code with many findings passes the gate without a baseline"; exit 1; fi
before=$(ap_errors "$log")
[ "$before" -ge 20 ] || { echo "$log"; echo "FAIL: expected many findings in the team's code, got $before"; exit 1; }
echo "ok: the team's code fails the gate on $before findings before a baseline"

run "$work/out.txt" baseline write "$team" || fail "$work/out.txt" "'baseline write' on the team's code failed"
log=$(gate) || { echo "$log"; echo "FAIL: the gate fails on the team's code with its baseline"; exit 1; }
echo "ok: with the baseline ($(grep -c '"rule": ' "$team/asyncpitfalls.baseline.json") entries) the gate passes"

# Unrelated edits: lines inserted at the top of every file, and two members of OrderService trade places.
find "$team/src/Orders.Core" -name '*.cs' -not -path '*/obj/*' -exec sed -i '1i // Reviewed in the migration.\n// Owner: the orders team.\n' {} \;
python3 - "$team/src/Orders.Core/OrderService.cs" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
members = re.findall(r"\n    public async Task<string> Wait\w+Async\(.*?\n    }\n", text, re.S)
assert len(members) == 2, members
first, second = members
text = text.replace(first, "\0").replace(second, first).replace("\0", second)
open(path, "w").write(text)
PY
log=$(gate) || { echo "$log"; echo "FAIL: the gate fails after unrelated edits: inserted lines and reordered members"; exit 1; }
run "$work/out.txt" baseline check "$team" || fail "$work/out.txt" "'baseline check' fails after unrelated edits"
echo "ok: inserted lines in every file and reordered members keep every finding baselined (gate and 'baseline check')"

rm "$team/asyncpitfalls.baseline.json"
if log=$(gate); then echo "$log"; echo "FAIL: the gate passes after the baseline file is deleted"; exit 1; fi
after=$(ap_errors "$log")
[ "$after" -eq "$before" ] || { echo "$log"; echo "FAIL: without the baseline the gate reports $after findings, not the $before of before"; exit 1; }
echo "ok: with the baseline file deleted, every one of the $before findings fails the gate again"

