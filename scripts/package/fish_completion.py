#!/usr/bin/env python3
"""scripts/package/fish_completion.py < generated > packaged - the fish
completion of `thief --generate-completion-script fish`, completing the
default subcommand's options at the top level: `thief -p 1 --for<TAB>` is
`thief run -p 1 --for<TAB>`. swift-argument-parser 1.8.2's generators never
consult defaultSubcommand (apple/swift-argument-parser#488), so its script
offers only --version, --help and the subcommand names there. Fails (exit 1)
if the generated script no longer has the shape this edits."""
import sys

DEFAULT = "run"  # Thief's defaultSubcommand (Sources/thief/Thief.swift)
# Where the parse of the command line starts: the tokens before the cursor.
ANCHOR = "    set -l unparsed_tokens (__thief_tokens -pc)\n"
ADDED = f"""    # An option first (the token after thief, or the one being completed):
    # the default subcommand ({DEFAULT}) takes it, as thief's parser does.
    set -l first_argument $unparsed_tokens[2]
    test (count $unparsed_tokens) -lt 2; and set first_argument (commandline -ct)
    if test "$unparsed_tokens[1]" = thief; and string match -q -- '-*' "$first_argument"
        set unparsed_tokens $unparsed_tokens[1] {DEFAULT} $unparsed_tokens[2..]
    end
"""
text = sys.stdin.read()
if text.count(ANCHOR) != 1 or f"\n        case '{DEFAULT}'\n" not in text:
    sys.exit("fish_completion.py: the generated fish completion changed shape; update this script")
sys.stdout.write(text.replace(ANCHOR, ANCHOR + ADDED))
