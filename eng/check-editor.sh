#!/usr/bin/env bash
# A real editor language server shows the package's warnings: csharp-ls (pinned in .config/dotnet-tools.json)
# is driven over LSP by eng/AsyncPitfalls.EditorCheck in a copy of samples/Adoption that consumes the packed
# nupkg with a fresh NuGet cache, as eng/check-adoption.sh does for the command line. Asserts, for push diagnostics
# (textDocument/publishDiagnostics, which every LSP client takes) and for pull diagnostics (textDocument/diagnostic,
# which VS Code and Neovim 0.10+ ask for when the server offers them), that:
#   1. AP1002 appears on the sample's marked line once the server has loaded the solution,
#   2. a Thread.Sleep typed into another async method (an unsaved edit) gets AP1002 on its line,
#   3. replacing it with 'await Task.Delay' (and a '#warning' line naming the round, whose CS1030 shows the
#      diagnostics are for the fixed text) makes that AP1002 go away,
# and prints how long each took, and (once) the code actions offered at the AP1002.
# SKIP_PACK=1 reuses artifacts/ when the package is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
package="artifacts/AsyncPitfalls.$version.nupkg"
if [ "${SKIP_PACK:-}" != "1" ] || [ ! -f "$package" ]; then
  dotnet pack nuget/AsyncPitfalls.Package.csproj -c Release --nologo -v quiet
fi
[ -f "$package" ] || { echo "FAIL: $package was not written"; exit 1; }

log=$(dotnet build eng/AsyncPitfalls.EditorCheck -c Release --nologo -v quiet 2>&1) \
  || { echo "$log"; echo "FAIL: eng/AsyncPitfalls.EditorCheck does not build"; exit 1; }
driver="$root/eng/AsyncPitfalls.EditorCheck/bin/Release/net10.0/AsyncPitfalls.EditorCheck.dll"

work="$(mktemp -d)"
# The driver runs under 'timeout', which (without --foreground) leads a process group of its own that holds the
# driver, csharp-ls and whatever that starts; on any exit of this script the group is ended before the workspace it
# reads is deleted: TERM first, so the driver can shut the server down, then KILL, since a driver that is killed
# outright never runs its own cleanup.
driver_group=
cleanup() {
  if [ -n "$driver_group" ]; then
    kill -TERM -- "-$driver_group" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 -- "-$driver_group" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$driver_group" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# A fresh cache, so no stale copy of the same version can stand in for the package just packed; the tool is
# restored into it too, as on a clean clone.
export NUGET_PACKAGES="$work/nuget"
# The sample's Directory.Packages.props reads the version from this property; as an environment variable it
# reaches both the restore and csharp-ls's own MSBuild evaluation of the projects.
export AsyncPitfallsVersion="$version"

cp -R samples/Adoption "$work/Adoption"
find "$work/Adoption" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
# The sample's NuGet.config names ../../artifacts; the copy lives elsewhere, so point it there by full path.
cat >"$work/Adoption/NuGet.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="asyncpitfalls-local" value="$root/artifacts" />
  </packageSources>
</configuration>
EOF
log=$(dotnet restore "$work/Adoption/Adoption.sln" --nologo -v quiet 2>&1) \
  || { echo "$log"; echo "FAIL: the copy of samples/Adoption does not restore"; exit 1; }
log=$(dotnet tool restore 2>&1) || { echo "$log"; echo "FAIL: dotnet tool restore (.config/dotnet-tools.json) failed"; exit 1; }
echo "ok: the copy of samples/Adoption is restored against $package; csharp-ls restored from .config/dotnet-tools.json"

for mode in push pull; do
  echo "-- $mode diagnostics"
  # Once is enough to list the code actions at the AP1002 (what the light bulb would offer; reported, not asserted).
  extra=()
  if [ "$mode" = push ]; then extra=(--code-actions); fi
  # The driver has its own timeouts (180 s to the first diagnostics, 60 s per edit) and kills the server on
  # them; this outer bound only guards against the driver itself hanging: TERM to the group, KILL 10 s later.
  # In the background, so the trap can run (and end the group) while it is waited for.
  # ${extra[@]+...}: bash before 4.4 calls an empty array unbound under set -u.
  timeout --signal=TERM --kill-after=10 420 dotnet "$driver" --workspace "$work/Adoption" --tool-dir "$root" \
    --mode "$mode" ${extra[@]+"${extra[@]}"} --log "$work/$mode.log" &
  driver_group=$!
  wait "$driver_group" || { echo "FAIL: csharp-ls did not show the package's diagnostics ($mode diagnostics)"; exit 1; }
  driver_group=
done
