#!/usr/bin/env bash
# Rewrites citations of the old product specification by section number into references to
# the design documents in docs/ that now hold each section (docs/README.md has the table).
#
#   scripts/replace-spec-citations.sh [--check] PATH...
#
# PATH is a file or a folder (searched recursively; .build and .git are skipped). Only files
# that contain a citation are touched, in place. Forms handled, with what follows kept as is:
#   "SPEC <section>5"                  -> "docs/windows.md"
#   "SPEC <section>5 rules 2 and 3"    -> "docs/windows.md rules 2 and 3"
#   "SPEC <section>1, <section>2"      -> "docs/domain.md" (one file named once)
#   "SPEC <section>3, <section>6"      -> "docs/states.md#message-kinds, docs/consent.md"
#   "SPEC <section>8's error classes"  -> "docs/carrier.md's error classes"
# (<section> stands for the section sign, written out here so this file never rewrites itself.)
# In Markdown files the reference becomes a link, relative to the file's folder
# (README.md: [docs/windows.md](docs/windows.md); docs/consent.md: [windows.md](windows.md)).
#
# --check rewrites nothing: it lists the citations left and exits 1 if there are any.
# A citation of a section with no document is left alone and reported (exit 1).
#
# Example, from the repository root:
#   scripts/replace-spec-citations.sh Sources Tests Benchmarks
set -euo pipefail

check=0
if [[ ${1:-} == --check ]]; then
    check=1
    shift
fi
if [[ $# -eq 0 ]]; then
    echo "usage: $0 [--check] PATH..." >&2
    exit 64
fi

self=$(realpath "$0")
pattern=$'SPEC \u00a7[0-9]'

# Files with at least one citation, this script excepted.
files=()
while IFS= read -r -d '' file; do
    [[ $(realpath "$file") == "$self" ]] && continue
    files+=("$file")
done < <(
    for path in "$@"; do
        if [[ -d $path ]]; then
            grep -rlIZ --exclude-dir=.build --exclude-dir=.git -e "$pattern" -- "$path" || true
        elif [[ -f $path ]]; then
            grep -lIZ -e "$pattern" -- "$path" || true
        else
            echo "$0: $path: no such file or folder" >&2
            exit 66
        fi
    done
)

if [[ ${#files[@]} -eq 0 ]]; then
    echo "no citations found"
    exit 0
fi

if [[ $check -eq 1 ]]; then
    grep -nH -e "$pattern" -- "${files[@]}"
    exit 1
fi

status=0
for file in "${files[@]}"; do
    # Links in Markdown are relative to the file's folder; other files name paths from the root.
    case $file in
        *.md) markdown=1 ;;
        *) markdown=0 ;;
    esac
    folder=$(dirname "$(realpath --relative-to=. "$file")")
    MARKDOWN=$markdown FOLDER=$folder perl -CSD -Mutf8 -i -pe '
        BEGIN {
            %doc = (
                1  => "docs/domain.md#users",
                2  => "docs/domain.md",
                3  => "docs/states.md#message-kinds",
                4  => "docs/states.md",
                5  => "docs/windows.md",
                6  => "docs/consent.md",
                7  => "docs/segments.md",
                8  => "docs/carrier.md",
                9  => "docs/admin.md",
                10 => "docs/systemd.md",
                11 => "docs/data-safety.md",
                12 => "docs/carrier.md#unknown-outcomes-and-reconciliation",
                13 => "docs/data-safety.md#not-built-yet",
                14 => "docs/metrics.md",
            );
            $markdown = $ENV{MARKDOWN};
            $folder = $ENV{FOLDER};
            sub reference {
                my ($list) = @_;
                my @numbers = $list =~ /(\d+)/g;
                for (@numbers) { return undef unless exists $doc{$_} }
                # One file named once: a file cited for two sections loses its anchor.
                my (@order, %anchors);
                for (@numbers) {
                    my ($path, $anchor) = split /#/, $doc{$_}, 2;
                    push @order, $path unless exists $anchors{$path};
                    push @{ $anchors{$path} }, $anchor;
                }
                my @refs;
                for my $path (@order) {
                    my @a = @{ $anchors{$path} };
                    my $target = @a == 1 && defined $a[0] ? "$path#$a[0]" : $path;
                    if ($markdown) {
                        my $link = $target;
                        my $text = $path;
                        if ($folder eq "docs") { $link =~ s{^docs/}{}; $text =~ s{^docs/}{} }
                        push @refs, "[$text]($link)";
                    } else {
                        push @refs, $target;
                    }
                }
                return join ", ", @refs;
            }
        }
        s{SPEC (§\d+(?:(?:, | and )§\d+)*)}{
            my $r = reference($1);
            if (defined $r) { $r }
            else { print STDERR "$ARGV:$.: no document for \"SPEC $1\", left as is\n"; "SPEC $1" }
        }ge;
    ' "$file" || status=1
    # perl cannot pass a flag back through -i: look for what was left.
    if grep -qI -e "$pattern" -- "$file"; then
        status=1
    fi
    echo "rewrote $file"
done
exit $status
