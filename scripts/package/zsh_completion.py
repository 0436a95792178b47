#!/usr/bin/env python3
"""scripts/package/zsh_completion.py < generated > packaged - the zsh
completion of `thief --generate-completion-script zsh`, completing the
default subcommand's options at the top level: `thief -p 1 --for<TAB>` is
`thief run -p 1 --for<TAB>`. swift-argument-parser 1.8.2's generators never
consult defaultSubcommand (apple/swift-argument-parser#488), so its script
offers only --version, --help and the subcommand names there. Fails (exit 1)
if the generated script no longer has the shape this edits."""
import sys

DEFAULT = "run"  # Thief's defaultSubcommand (Sources/thief/Thief.swift)
# The end of the root function's set-up, before its arguments are completed.
ANCHOR = '    local -ir current_word_index="$((CURRENT - 1))"\n'
ADDED = f"""
    if [[ "${{words[2]}}" == -* ]]; then
        # An option first: the default subcommand ({DEFAULT}) takes it, as
        # thief's parser does. Completed as if the line said `thief {DEFAULT}`.
        words=("${{words[1]}}" {DEFAULT} "${{(@)words[2,-1]}}")
        (( CURRENT++ ))
    fi
"""
text = sys.stdin.read()
if text.count(ANCHOR) != 1 or f"\n_thief_{DEFAULT}() {{\n" not in text or "\n_thief() {\n" not in text:
    sys.exit("zsh_completion.py: the generated zsh completion changed shape; update this script")
sys.stdout.write(text.replace(ANCHOR, ANCHOR + ADDED))
