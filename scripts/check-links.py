#!/usr/bin/env python3
"""scripts/check-links.py [FILE.md ...] - every relative link of the
documentation points at a file that exists, and a #anchor at a heading of
that page (GitHub's anchors), so moving a section never leaves a dead link.
Default: README.md, ARCHITECTURE.md and docs/*.md. Links to http(s), mailto
and the like are not followed. Exit 1 on a dead link, one line each."""
import pathlib
import re
import sys
import urllib.parse

root = pathlib.Path(__file__).resolve().parent.parent
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def prose(text):
    """The lines outside fenced blocks, with inline code spans blanked (a
    link shown as code is not a link). Yields (line number, line)."""
    fenced = False
    for n, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield n, re.sub(r"`+[^`]*`+", "``", line)


def slug(heading):
    """GitHub's anchor for a heading: lower case, markup and punctuation
    dropped (letters, digits, '-' and '_' kept), spaces to '-'."""
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen, found = {}, set()
        fenced = False
        for line in path.read_text().split("\n"):
            if FENCE.match(line):
                fenced = not fenced
            m = None if fenced else HEADING.match(line)
            if m:
                s = slug(m.group(1))
                # GitHub numbers repeated headings: x, x-1, x-2.
                found.add(s if s not in seen else f"{s}-{seen[s]}")
                seen[s] = seen.get(s, 0) + 1
        cache[path] = found
    return cache[path]


def check(page):
    errors = []
    for n, line in prose(page.read_text()):
        for m in LINK.finditer(line):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            dest = (page.parent / urllib.parse.unquote(path)).resolve() if path else page
            where = f"{page.relative_to(root)}:{n}"
            if not dest.exists():
                errors.append(f"{where}: {target}: no such file")
            elif anchor and dest.suffix == ".md" and urllib.parse.unquote(anchor) not in anchors(dest):
                errors.append(f"{where}: {target}: no heading #{anchor} in {dest.relative_to(root)}")
    return errors


pages = [pathlib.Path(a).resolve() for a in sys.argv[1:]] or [
    root / "README.md",
    root / "ARCHITECTURE.md",
    *sorted((root / "docs").glob("*.md")),
]
errors = [e for p in pages for e in check(p)]
for e in errors:
    print(f"check-links.py: {e}", file=sys.stderr)
sys.exit(1 if errors else 0)
