#!/bin/zsh -f
# scripts/package/zsh_complete.zsh LINE [DIR] - prints, one a line, what zsh
# offers for LINE<TAB>: an interactive zsh in a pseudo-terminal (zpty) with
# compinit, every candidate that reaches compadd. DIR, if given, is searched
# before zsh's own fpath (vendor-completions is in Debian's). For
# check-package.sh; exit 2 if zsh has no zpty.
zmodload zsh/zpty || exit 2
out=$(mktemp) || exit 2
zpty shell zsh -f -i || exit 2
zpty -w shell "fpath=(${2:+$2} \$fpath); autoload -Uz compinit; compinit -u -D; PS1='> '"
zpty -w shell "compadd() { local -a h; builtin compadd -O h \"\$@\"; (( \$#h )) && print -rl -- \$h >> $out; builtin compadd \"\$@\"; }"
zpty -n -w shell "$1"$'\t'
# Up to 5 s for the first candidate, then a moment for the rest.
for i in {1..50}; do
    [[ -s $out ]] && break
    sleep 0.1
done
sleep 0.3
zpty -d shell
sort -u $out
rm -f $out
