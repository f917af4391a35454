#!/usr/bin/env python3
"""Writes man/heraldctl.8 from heraldctl's own argument parser (`make man`).

swift-argument-parser's generate-manual tool (the tool behind its `generate-manual` SwiftPM
plugin) renders `heraldctl --experimental-dump-help` as mdoc(7). Three things are mended here,
so that the page says what `heraldctl --help` says and `mandoc -Tlint -Wwarning` is clean:

- the tool drops every non-ASCII character (the apostrophe in `"It’s ready"` is the point of
  that example), so heraldctl is run through a wrapper that writes them as placeholders,
  which become mdoc's \\[uXXXX] escapes afterwards;
- the help texts are written for a terminal: blank lines between paragraphs and several
  sentences on a line. Blank lines become .Pp, and each line mandoc reports as "new sentence,
  new line" is broken where mandoc says the sentence starts; text right after an indented
  example line starts a line of its own (.br);
- the tool ends the help of an option with listed values with a .Pp before the next .It,
  which mandoc skips and warns about: it is left out.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

PLACEHOLDER = re.compile(r"@@u([0-9A-F]{4,6})@@")

WRAPPER = r'''#!/usr/bin/env python3
import json, subprocess, sys
out = subprocess.run([%r] + sys.argv[1:], check=True, stdout=subprocess.PIPE).stdout
def walk(v):
    if isinstance(v, str):
        return "".join(c if ord(c) < 128 else "@@u%%04X@@" %% ord(c) for c in v)
    if isinstance(v, list):
        return [walk(x) for x in v]
    if isinstance(v, dict):
        return {k: walk(x) for k, x in v.items()}
    return v
sys.stdout.write(json.dumps(walk(json.loads(out))))
'''


def lint(path):
    result = subprocess.run(["mandoc", "-Tlint", "-Wwarning", path], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    return [line for line in result.stdout.splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True, help="swift-argument-parser's generate-manual")
    parser.add_argument("--heraldctl", required=True)
    parser.add_argument("--date", required=True,
                        help="YYYY-MM-DD for .Dd; an output whose text is otherwise the same keeps its date")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        wrapper = os.path.join(scratch, "heraldctl")
        with open(wrapper, "w") as f:
            f.write(WRAPPER % os.path.abspath(args.heraldctl))
        os.chmod(wrapper, 0o755)
        pages = os.path.join(scratch, "pages")
        os.mkdir(pages)
        subprocess.run([args.tool, wrapper, "--section", "8", "--date", args.date,
                        "--output-directory", pages], check=True)
        with open(os.path.join(pages, "heraldctl.8")) as f:
            lines = f.read().split("\n")

        lines[0] = ('.\\" Generated from heraldctl\'s argument parser by `make man` '
                    '(scripts/gen-heraldctl-man.py); do not edit.')
        lines = [PLACEHOLDER.sub(lambda m: "\\[u%s]" % m.group(1), line) for line in lines]
        lines = [".Pp" if line.strip() == "" else line for line in lines]
        # An indented line (an example) keeps its own line in fill mode; the text after it
        # would run on from it unless broken.
        mended = []
        for line in lines:
            if mended and mended[-1][:1] in (" ", "\t") and line[:1] not in ("", " ", "\t", "."):
                mended.append(".br")
            mended.append(line)
        # generate-manual ends the help of an option with listed values (a typed state) with a
        # paragraph break, which mandoc skips before the next item and warns about.
        lines = mended
        lines = [line for i, line in enumerate(lines)
                 if not (line == ".Pp" and i + 1 < len(lines) and lines[i + 1].startswith(".It "))]
        while lines and lines[-1] == ".Pp":
            lines.pop()

        draft = os.path.join(scratch, "draft.8")
        for _ in range(20):
            with open(draft, "w") as f:
                f.write("\n".join(lines) + "\n")
            warnings = lint(draft)
            breaks = []
            for warning in warnings:
                m = re.match(r".*?:(\d+):(\d+): WARNING: new sentence, new line$", warning)
                if not m:
                    sys.exit("gen-heraldctl-man: mandoc says, and nothing here mends it:\n" + "\n".join(warnings))
                breaks.append((int(m.group(1)), int(m.group(2))))
            if not breaks:
                break
            # Bottom-up, so that the positions of the breaks still to make stay valid.
            for number, column in sorted(breaks, reverse=True):
                line = lines[number - 1]
                lines[number - 1:number] = [line[:column - 1].rstrip(), line[column - 1:]]
        else:
            sys.exit("gen-heraldctl-man: still not lint-clean after 20 passes")

    page = "\n".join(lines) + "\n"
    undated = lambda text: [line for line in text.split("\n") if not line.startswith(".Dd ")]
    if os.path.exists(args.output):
        with open(args.output) as f:
            if undated(f.read()) == undated(page):
                print("%s: unchanged" % args.output)
                return
    with open(args.output, "w") as f:
        f.write(page)
    print("%s: written" % args.output)


if __name__ == "__main__":
    main()
