#!/usr/bin/env python3
"""scripts/package/manpage.py < thief.run.1 > thief-run.1 - adjusts a page of
swift-argument-parser's generate-manual for the package: a subcommand's page
is named thief-run in NAME and .Dt (the name `man thief run` looks for; a
whatis entry has no spaces) while its synopsis keeps "thief run", and a blank
line in a discussion becomes a paragraph break (.Pp), as mdoc wants."""
import sys

lines = sys.stdin.read().split("\n")
name, in_name = None, False
for i, line in enumerate(lines[:-1] if lines[-1] == "" else lines):
    if line == "":
        line = ".Pp"
    elif line.startswith(".Dt "):
        words = line.split(" ")
        words[1] = words[1].replace(".", "-")
        line = " ".join(words)
    elif line.startswith(".Sh "):
        in_name = line == ".Sh NAME"
    elif in_name and line.startswith('.Nm "'):
        name = line[len(".Nm ") :]
        line = ".Nm " + name.strip('"').replace(" ", "-")
    elif line == ".Nm" and name:
        line = ".Nm " + name
    lines[i] = line
sys.stdout.write("\n".join(lines))
