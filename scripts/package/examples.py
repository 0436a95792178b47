#!/usr/bin/env python3
"""scripts/package/examples.py DOCS_DIR OUT_DIR - writes the examples of the
documentation (README.md, docs/*.md) as files for
/usr/share/doc/thief/examples: the cron line and the systemd service and timer
that run thief every 10 minutes (docs/capture.md), thief watch as a systemd
service (docs/watch.md) and the CI jobs (docs/ci.md), the very blocks of the
pages, found by their headings, with the packaged /usr/bin/thief in the cron
and systemd ones. Fails (exit 1) if a block is missing, so an example never
silently drops out of the package when the documentation moves."""
import pathlib
import re
import sys

root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
text = "\n".join(p.read_text() for p in [root / "README.md", *sorted((root / "docs").glob("*.md"))])


def block(heading, lang=""):
    """The first fenced block (```LANG) after the heading line."""
    found = list(re.finditer(r"^#+ " + re.escape(heading) + r"\s*$", text, re.M))
    if not found:
        sys.exit(f"examples.py: no section '{heading}' in README.md or docs/")
    # Two pages with the heading: which block is the example would depend on
    # the order of the files, so refuse.
    if len(found) > 1:
        sys.exit(f"examples.py: {len(found)} sections '{heading}' in README.md and docs/")
    at = found[0]
    fence = re.compile(r"^```" + re.escape(lang) + r"\n(.*?)^```$", re.M | re.S)
    found = fence.search(text, at.end())
    if not found:
        sys.exit(f"examples.py: no ```{lang} block after '{heading}'")
    return found.group(1)


def packaged(s):
    return s.replace("/usr/local/bin/thief", "/usr/bin/thief")


out.mkdir(parents=True, exist_ok=True)
cron = block("Every 10 minutes, from cron or systemd")
(out / "cron.d-thief").write_text(packaged(cron))
units = re.split(r"^# /etc/systemd/system/(\S+)\n", block("Every 10 minutes, from cron or systemd", "ini"), flags=re.M)
if len(units) < 5:
    sys.exit("examples.py: the systemd block does not name a .service and a .timer")
for name, body in zip(units[1::2], units[2::2]):
    (out / name).write_text(packaged(body.strip() + "\n"))
# thief watch as a service (docs/watch.md).
units = re.split(r"^# /etc/systemd/system/(\S+)\n", block("As a systemd service", "ini"), flags=re.M)
if len(units) < 3:
    sys.exit("examples.py: the thief watch block does not name a .service")
for name, body in zip(units[1::2], units[2::2]):
    (out / name).write_text(packaged(body.strip() + "\n"))
(out / "github-actions.yml").write_text(block("GitHub Actions", "yaml"))
(out / "gitlab-ci.yml").write_text(block("GitLab CI", "yaml"))
