#!/usr/bin/env python3
"""scripts/package/bash_completion.py < generated > packaged - the bash
completion of `thief --generate-completion-script bash`, sourced (no #!
line), and completing the default subcommand's options at the top level:
`thief -p 1 --for<TAB>` is `thief run -p 1 --for<TAB>`, but the argument
parser's script offers only subcommand names there. Fails (exit 1) if the
generated script no longer has the shape this edits."""
import sys

DEFAULT = "run"  # Thief's defaultSubcommand (Sources/thief/Thief.swift)
ANCHOR = "    local -a non_repeating_options=()\n    __thief_offer_flags_options 0\n"
ADDED = f"""    if [[ "${{unparsed_words[0]}}" == -* ]]; then
        # An option first: the default subcommand ({DEFAULT}) takes it.
        "_thief_{DEFAULT}"
        return
    fi
"""
text = sys.stdin.read()
if text.startswith("#!"):
    text = text.split("\n", 1)[1]
if text.count(ANCHOR) != 1 or f"\n_thief_{DEFAULT}() {{\n" not in text:
    sys.exit("bash_completion.py: the generated bash completion changed shape; update this script")
sys.stdout.write(text.replace(ANCHOR, ANCHOR.replace("    __thief", ADDED + "    __thief")))
