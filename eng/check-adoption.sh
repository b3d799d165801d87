#!/usr/bin/env bash
# Consumes the packed AsyncPitfalls.nupkg the way a team adopts it (samples/Adoption:
# GlobalPackageReference in Directory.Packages.props, a local feed), with a fresh NuGet cache so
# no stale copy of the same version can hide a packaging mistake. Asserts that:
#   1. a plain build succeeds and shows the expected AP warnings,
#   2. -warnaserror fails the build on them,
#   3. AsyncPitfallsMode=None silences them, AsyncPitfallsMode=Strict makes them errors,
#   4. every form of a user's severity line wins over every preset, with the mode set every way a team sets it,
#      and the SARIF 2.1 log of docs/ci.md carries the rules' metadata and help links (adoption/check-configuration.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
package="artifacts/AsyncPitfalls.$version.nupkg"
if [ "${SKIP_PACK:-}" != "1" ] || [ ! -f "$package" ]; then
  dotnet pack nuget/AsyncPitfalls.Package.csproj -c Release --nologo -v quiet
fi
[ -f "$package" ] || { echo "FAIL: $package was not written"; exit 1; }

listing=$(unzip -Z1 "$package")
for expected in analyzers/dotnet/cs/AsyncPitfalls.Analyzers.dll analyzers/dotnet/cs/AsyncPitfalls.CodeFixes.dll buildTransitive/AsyncPitfalls.targets config/AsyncPitfalls.Strict.globalconfig README.md icon.png; do
  grep -qx "$expected" <<<"$listing" || { echo "FAIL: $package lacks $expected"; exit 1; }
done
if grep -q '^lib/' <<<"$listing"; then echo "FAIL: $package has lib/ assets"; exit 1; fi
unzip -p "$package" AsyncPitfalls.nuspec | grep -q '<developmentDependency>true</developmentDependency>' \
  || { echo "FAIL: the package is not a development dependency"; exit 1; }
nuspec=$(unzip -p "$package" AsyncPitfalls.nuspec)
grep -q "<releaseNotes>## $version" <<<"$nuspec" || { echo "FAIL: the package's release notes are not CHANGELOG.md's $version section"; exit 1; }
grep -q "<icon>icon.png</icon>" <<<"$nuspec" || { echo "FAIL: the package has no icon"; exit 1; }

export NUGET_PACKAGES="$(mktemp -d)"
trap 'rm -rf "$NUGET_PACKAGES"' EXIT
cd samples/Adoption
build() { dotnet build Adoption.sln --no-incremental --nologo -p:AsyncPitfallsVersion="$version" "$@" 2>&1; }

expect_lines=("Orders.Core/OrderService.cs(11," "Orders.App/Program.cs(6,")

log=$(build) || { echo "$log"; echo "FAIL: the adoption sample does not build"; exit 1; }
for where in "${expect_lines[@]}"; do
  grep -q "$where.*warning AP1002" <<<"$log" || { echo "$log"; echo "FAIL: no AP1002 warning at $where"; exit 1; }
done
echo "ok: the package's warnings appear in a plain build ($(grep -c 'warning AP1002' <<<"$log" | tr -d ' ') lines)"

if log=$(build -warnaserror); then echo "$log"; echo "FAIL: -warnaserror did not fail the build"; exit 1; fi
grep -q "error AP1002" <<<"$log" || { echo "$log"; echo "FAIL: -warnaserror failed, but not on AP1002"; exit 1; }
echo "ok: -warnaserror fails the build on AP1002"

log=$(build -p:AsyncPitfallsMode=None) || { echo "$log"; echo "FAIL: AsyncPitfallsMode=None does not build"; exit 1; }
if grep -q "AP1002" <<<"$log"; then echo "$log"; echo "FAIL: AsyncPitfallsMode=None still reports AP1002"; exit 1; fi
echo "ok: AsyncPitfallsMode=None silences the rules"

if log=$(build -p:AsyncPitfallsMode=Strict); then echo "$log"; echo "FAIL: AsyncPitfallsMode=Strict did not fail the build"; exit 1; fi
grep -q "error AP1002" <<<"$log" || { echo "$log"; echo "FAIL: AsyncPitfallsMode=Strict failed, but not on AP1002"; exit 1; }
echo "ok: AsyncPitfallsMode=Strict turns the rules into errors"

bash "$root/eng/adoption/check-configuration.sh"
