#!/usr/bin/env bash
# The fix corpus check: 'dotnet format analyzers' applies the AsyncPitfalls fixes to copies of samples/FixCorpus
# the way users run it, and the result must compile with no new error or warning, with every diagnostic marked
# '// fixable: APxxxx' gone, every one marked '// unfixable: APxxxx' still there, and no new AP diagnostic.
#
# Copies, all in one solution so that one 'dotnet format' run and one build serve them all:
#   all      every rule on, every fix at once (the newest C#)
#   all-cs12 the same at C# 12, the .NET 8 SDK's default language version
#   APxxxx   that rule alone (every other rule off in the copy's globalconfig): the fix of one rule, as with
#            'dotnet format analyzers --diagnostics APxxxx', without another rule's fix hiding or helping it
# Checks:
#   before the fixes, each copy reports exactly the markers of its rules (so the markers are the truth);
#   after, with every rule on again: no compiler error, no compiler warning the copy did not have, every AP
#   diagnostic on a line that carries a marker for it (an 'unfixable' one for a rule that was fixed), and for a
#   rule fixed alone exactly as many diagnostics as it has 'unfixable' markers, and each 'expect: "text"' of a
#   fixed rule found on its line. Other rules' diagnostics may go (a fix can cure two things) but never appear.
# A run listed in eng/fix-corpus/KNOWN-FAILURES.md ('run: APxxxx') may fail; the check fails on any other failing
# run and on a listed run that passes. How to add a case: docs/contributing.md, "The fix corpus".
# Usage: bash eng/check-fix-corpus.sh [--keep]   (--keep leaves the work directory for a look at the fixed code)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
if [ "${1:-}" = "--keep" ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi
started=$(date +%s)
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$work")
cd "$work"

all_ids=$(sed -n 's/^\(AP[0-9]\{4\}\) |.*/\1/p' src/AsyncPitfalls.Analyzers/AnalyzerReleases.*.md | sort -u)
fixable_ids=$(ls src/AsyncPitfalls.CodeFixes/Rules | grep -oE '^AP[0-9]{4}' | sort -u)
corpus=samples/FixCorpus

# One copy per run, next to the corpus so that its project references resolve.
make_copy() { # name, enabled rule ids (space separated), extra csproj property
  local dir="samples/FixCorpus.$1"
  cp -r "$corpus" "$dir"
  mv "$dir/FixCorpus.csproj" "$dir/FixCorpus.$1.csproj"
  [ -z "$3" ] || sed -i "s|<OutputType>Library</OutputType>|<OutputType>Library</OutputType>$3|" "$dir/FixCorpus.$1.csproj"
  # Two configurations: the copy's own rules only (FixCorpus.globalconfig, to fix), and every rule (to check).
  cp "$dir/FixCorpus.globalconfig" "$dir/every-rule.globalconfig"
  for id in $all_ids; do
    case " $2 " in *" $id "*) ;; *) echo "dotnet_diagnostic.$id.severity = none" >> "$dir/FixCorpus.globalconfig" ;; esac
  done
  echo "$1 $2" >> copies.txt
}
use_config() { for copy in samples/FixCorpus.*/; do cp "$copy$1.globalconfig" "${copy}FixCorpus.globalconfig"; done; }
: > copies.txt
make_copy all "$(echo $all_ids)" ""
make_copy all-cs12 "$(echo $all_ids)" "<LangVersion>12</LangVersion>"
for id in $fixable_ids; do make_copy "$id" "$id" ""; done
dotnet new sln -n FixCorpusCheck --format sln -o . > /dev/null
dotnet sln FixCorpusCheck.sln add samples/FixCorpus.*/FixCorpus.*.csproj > /dev/null

# "copy<TAB>file<TAB>line<TAB>id<TAB>severity" for each distinct diagnostic of a build log.
diagnostics() {
  grep -oE "samples/FixCorpus\.[^/]+/[^ ]+\.cs\([0-9]+,[0-9]+\): (warning|error) [A-Z]+[0-9]+" \
    | sed -E 's#samples/FixCorpus\.([^/]+)/([^ ]+\.cs)\(([0-9]+),[0-9]+\): (warning|error) ([A-Z]+[0-9]+)#\1\t\2\t\3\t\5\t\4#' | sort -u || true
}
# "copy<TAB>file<TAB>line<TAB>kind<TAB>id<TAB>expected text<TAB>code" for each marker:
#   // fixable: AP1001 AP4002 unfixable: AP5003 (why)
#   // fixable: AP2001 expect: "await _store" (the fixed line must contain this text: which of a rule's fixes applies)
markers() { # directories...
  for dir in "$@"; do
    (cd "$dir" && grep -rnE --include='*.cs' '// *(un)?fixable:' . || true) | awk -v copy="${dir#samples/FixCorpus.}" '{
      split($0, head, ":"); file = substr(head[1], 3); line = head[2]
      text = substr($0, length(head[1]) + length(head[2]) + 3); match(text, /\/\/ *(un)?fixable:/)
      code = substr(text, 1, RSTART - 1); comment = substr(text, RSTART + 2); expect = ""
      if (match(comment, /expect: *"[^"]*"/)) { expect = substr(comment, RSTART, RLENGTH); sub(/^expect: *"/, "", expect); sub(/"$/, "", expect); sub(/expect: *"[^"]*"/, "", comment) }
      n = split(comment, words, /[ ,;()]+/); kind = ""
      for (i = 1; i <= n; i++) {
        if (words[i] == "fixable:" || words[i] == "unfixable:") kind = substr(words[i], 1, length(words[i]) - 1)
        else if (kind != "" && words[i] ~ /^AP[0-9][0-9][0-9][0-9]$/) printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", copy, file, line, kind, words[i], (kind == "fixable" ? expect : ""), code
      }
    }'
  done
}

build() { dotnet build FixCorpusCheck.sln --no-incremental --nologo -clp:NoSummary 2>&1 || true; }

echo "fix corpus: $(ls $corpus/*/*.cs | wc -l) files, $(markers $corpus | grep -c fixable) markers; $(wc -l < copies.txt) copies ($(echo $fixable_ids | wc -w) rules alone)"
dotnet build src/AsyncPitfalls.CodeFixes --nologo -v q > /dev/null
build | diagnostics > before.tsv
markers samples/FixCorpus.* > markers-before.tsv

format_started=$(date +%s)
# shellcheck disable=SC2086
if ! dotnet format analyzers FixCorpusCheck.sln --diagnostics $fixable_ids --severity info --no-restore > format.log 2>&1; then
  cat format.log; echo "FAIL: dotnet format analyzers failed"; exit 1
fi
format_seconds=$(( $(date +%s) - format_started ))

use_config every-rule
build > after.log
diagnostics < after.log > after.tsv
markers samples/FixCorpus.* > markers-after.tsv

awk -F'\t' -v fixable_ids="$(echo $fixable_ids)" '
  FILENAME == "copies.txt" { split($0, parts, " "); name = parts[1]; copies[++ncopies] = name
                             if (name ~ /^AP/) fixed[name, name] = 1; else for (i = 2; i <= split($0, parts, " "); i++) fixed[name, parts[i]] = 1; next }
  FILENAME == "markers-before.tsv" { if ($1 != "all") next; want[$4, $5]++; wantfile[$2, $5]++; if ($4 == "unfixable") unfix[$2, $5]++; next }
  FILENAME == "markers-after.tsv" { mark[$1, $2, $3, $5] = mark[$1, $2, $3, $5] " " $4
    # A fixable line that names its rewrite must show it once its rule was fixed.
    if ($6 != "" && ($1, $5) in fixed && index($7, $6) == 0) { notFixed[$1, $5]++; problem[$1] = problem[$1] "\n  not the expected fix: " $5 " at " $2 ":" $3 " lacks \"" $6 "\": " $7 }
    next }
  FILENAME == "before.tsv" { if ($4 ~ /^AP/) beforeAp[$1, $2, $3, $4] = 1; else if ($5 == "warning") warnBefore[$1, $2, $4]++; next }
  
  FILENAME == "after.tsv" {
    copy = $1; file = $2; line = $3; id = $4
    if ($5 == "error") { errors[copy]++; if (!(copy in firstError)) firstError[copy] = file ":" line " " id; next }
    if (id ~ /^CS/) { if (++warnAfter[copy, file, id] > warnBefore[copy, file, id]) { newWarn[copy]++; problem[copy] = problem[copy] "\n  new compiler warning " id " at " file ":" line }; next }
    if (id !~ /^AP/) next
    m = mark[copy, file, line, id]; isFixed = (copy, id) in fixed
    left[copy, file, id]++
    if (isFixed && m ~ /unfixable/) kept[copy, id]++
    else if (isFixed && m ~ /fixable/) { notFixed[copy, id]++; problem[copy] = problem[copy] "\n  not fixed: " id " at " file ":" line }
    else if (m == "") { newAp[copy, id]++; problem[copy] = problem[copy] "\n  new diagnostic: " id " at " file ":" line }
    next
  }
  END {
    # The markers are the truth only if the unfixed corpus reports exactly them, in every copy for its rules.
    while ((getline row < "markers-before.tsv") > 0) { split(row, c, "\t"); if ((c[1], c[5]) in fixed) { expected[c[1], c[2], c[3], c[5]] = 1 } }
    for (k in beforeAp) if (!(k in expected)) { split(k, c, SUBSEP); bad = bad "\n  unmarked diagnostic before the fixes: " c[4] " at " c[2] ":" c[3] " (copy " c[1] ")" }
    for (k in expected) if (!(k in beforeAp)) { split(k, c, SUBSEP); bad = bad "\n  marker without a diagnostic before the fixes: " c[4] " at " c[2] ":" c[3] " (copy " c[1] ")" }
    # A rule fixed alone keeps exactly its unfixable diagnostics, file by file.
    for (k in unfix) { split(k, c, SUBSEP); if (left[c[2], c[1], c[2]] < unfix[k]) { lost[c[2]] += unfix[k] - left[c[2], c[1], c[2]]; problem[c[2]] = problem[c[2]] "\n  unfixable diagnostic gone: " c[2] " in " c[1] } }
    printf "\n%-9s %8s %9s %10s %6s %7s %7s %13s\n", "run", "fixable", "not fixed", "unfixable", "kept", "new AP", "errors", "new warnings"
    n = split(fixable_ids, ids, " "); failed = 0
    for (i = 1; i <= ncopies; i++) {
      copy = copies[i]; f = 0; u = 0; nf = 0; kp = 0; na = 0
      for (j = 1; j <= n; j++) { id = ids[j]; if (!((copy, id) in fixed)) continue; f += want["fixable", id]; u += want["unfixable", id]; nf += notFixed[copy, id]; kp += kept[copy, id] }
      for (k in newAp) { split(k, c, SUBSEP); if (c[1] == copy) na += newAp[k] }
      printf "%-9s %8d %9d %10d %6s %7d %7d %13d\n", copy, f, nf, u, (copy ~ /^AP/ ? kp : "-"), na, errors[copy], newWarn[copy]
      if (nf + na + errors[copy] + newWarn[copy] + lost[copy] > 0) { print copy > "failed-runs.txt"; failures = failures "\n" copy ":" (errors[copy] ? "\n  " errors[copy] " compiler errors, first: " firstError[copy] : "") problem[copy] }
    }
    if (bad != "") { print "\nFAIL: the corpus does not report exactly its markers:" bad; exit 1 }
    if (failures != "") print "\nruns that broke a promise:" failures
  }' copies.txt markers-before.tsv markers-after.tsv before.tsv after.tsv || { echo "(the check took $(( $(date +%s) - started ))s)"; exit 1; }
if grep -q ": error " after.log; then
  echo; echo "compiler errors after the fixes:"
  grep -oE "samples/FixCorpus\.[^ ]+: error [^[]+" after.log | sed 's#^samples/FixCorpus\.##' | sort -u | head -40
fi

# Runs known to fail until their fix is repaired (eng/fix-corpus/KNOWN-FAILURES.md): the check fails on any other
# failing run, and on a known one that now passes, so that the list only shrinks.
known=$(sed -n 's/^run: *\([A-Za-z0-9-]*\).*/\1/p' "$root/eng/fix-corpus/KNOWN-FAILURES.md" 2>/dev/null | sort -u)
failed=$(sort -u failed-runs.txt 2>/dev/null || true)
unexpected=$(comm -23 <(echo "$failed") <(echo "$known") | xargs)
repaired=$(comm -13 <(echo "$failed") <(echo "$known") | xargs)
echo
echo "dotnet format ${format_seconds}s, the whole check $(( $(date +%s) - started ))s"
[ -z "$failed" ] || echo "failing runs: $(echo $failed) (known: $(echo $known))"
if [ -n "$unexpected" ]; then echo "FAIL: runs that broke a promise and are not known failures: $unexpected"; exit 1; fi
if [ -n "$repaired" ]; then echo "FAIL: known failures that now pass: $repaired; remove them from eng/fix-corpus/KNOWN-FAILURES.md"; exit 1; fi
echo "ok: every fixable diagnostic fixed, every unfixable one kept, no new diagnostic, error or warning${failed:+ (except the known failures)}"
