"""The web client's source, checked without a browser: flat files, no HTML sinks, every text in both languages,
every asset served under a content hash."""

from __future__ import annotations

import re
from pathlib import Path

from helpdesk.api.static import StaticSite

STATIC = Path(__file__).resolve().parents[2] / "functions" / "api" / "static"
SCRIPTS = sorted(STATIC.glob("*.js"))
# Ways to turn a string into markup or code. Mail data must never reach one; we use none of them.
SINKS = re.compile(
    r"\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\b|"
    r"setTimeout\(\s*['\"`]|setInterval\(\s*['\"`]|createContextualFragment|DOMParser|\.html\s*\("
)


def test_files_are_flat_and_referenced_by_plain_names() -> None:
    assert (STATIC / "index.html").exists()
    assert all(p.is_file() for p in STATIC.iterdir()), "the static folder must be flat"
    index = (STATIC / "index.html").read_text()
    assert 'src="assets/app.js"' in index and 'href="assets/app.css"' in index
    for script in SCRIPTS:
        for target in re.findall(r"""from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']""", script.read_text()):
            name = next(t for t in target if t)
            assert name.startswith("./") and "/" not in name[2:], f"{script.name}: {name}"
            assert (STATIC / name[2:]).exists(), f"{script.name} imports a missing {name}"


def test_no_html_or_code_sinks() -> None:
    for script in SCRIPTS:
        for number, line in enumerate(script.read_text().splitlines(), 1):
            assert not SINKS.search(line), f"{script.name}:{number}: {line.strip()}"
    # The only srcdoc assignment is the sandboxed mail frame.
    setters = [p.name for p in SCRIPTS if re.search(r"\.srcdoc\s*=", p.read_text())]
    assert setters == ["mailview.js"]
    mailview = (STATIC / "mailview.js").read_text()
    sandbox = re.search(r'const SANDBOX = "([^"]*)"', mailview)
    assert sandbox and sandbox.group(1) == "allow-popups allow-popups-to-escape-sandbox"


STRINGS = ("i18n.js", "i18n-views.js")


def test_every_text_exists_in_german_and_english() -> None:
    source = "".join((STATIC / name).read_text() for name in STRINGS)  # the first page's, the later views'
    entries = dict(re.findall(r'"([\w.]+)":\s*\[\s*("(?:[^"\\]|\\.)*"\s*,\s*"(?:[^"\\]|\\.)*")\s*\]', source))
    assert len(entries) > 300
    for key, pair in entries.items():
        de, en = re.findall(r'"((?:[^"\\]|\\.)*)"', pair)
        assert de.strip() and en.strip(), f"{key} lacks a translation"
        assert set(re.findall(r"\{(\w+)\}", de)) == set(re.findall(r"\{(\w+)\}", en)), f"{key}: placeholders differ"
    used: set[str] = set()
    for script in SCRIPTS:
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", script.read_text()))
    missing = sorted(used - set(entries))
    assert not missing, f"texts without translation: {missing}"


def test_all_assets_get_content_hashed_names() -> None:
    site = StaticSite(STATIC)
    for plain, hashed in site.hashed.items():
        assert re.fullmatch(r"[\w-]+\.[0-9a-f]{10}\.\w+", hashed), f"{plain} is served unhashed (an import cycle?)"
    page = (site.page() or b"").decode()
    assert "assets/app." in page and "assets/app.js" not in page
    for asset in site.assets.values():
        if asset.name.endswith(".js"):
            for name in re.findall(r"""["']\./([\w-]+\.js)["']""", asset.body.decode()):
                raise AssertionError(f"{asset.name} still imports the plain name {name}")


def test_size_budget_of_all_files() -> None:
    # The first page loads less (views come with import()); the whole client stays small too.
    total = sum(p.stat().st_size for p in STATIC.iterdir() if p.suffix in (".js", ".css"))
    # 260 KB until issue 12 parts 3–6 (reply conflicts, the history as prose in two languages,
    # notifications), the set-up checklist and the auto-reply preview: a budget, raised on purpose.
    # Then notifications (bell, list, settings), data protection (privacy.js), search snippets, re-send:
    # 330 KB for the whole client; the first page stays bounded by its own budget (test_web_client).
    # Then forward/split/Bcc, signatures per mailbox and agent, CSV and ZIP exports with the privacy notice,
    # customer search and the sorts, the mail frame sized to its content: 360 KB. The views' strings moved out
    # of the first page (i18n-views.js), which keeps the first page in its budget.
    # Then the rich-text composer (editor.js: toolbar, links, pasted images; the quote and plain-text mode,
    # their strings and styles, about 16 KB; it loads with the ticket view only): 375 KB.
    # Then automation (issue 17: triggers with their dry run, macros, SLA policies in automation.js, loaded only
    # when one of those admin sections opens; the ticket view's macro menu; their strings), about 42 KB: 418 KB.
    # Then the SLA badge in the list and the ticket, the inbox's SLA filter, the customer's due date (2 KB): 420 KB.
    # Then saved views (savedviews.js, their strings and the inbox's part), fair assignment's history line,
    # away in the settings and the queue's mode in the admin form: about 8 KB: 428 KB.
    # Then the reports' SLA card and the rule dry run's reasons said in the reader's language (1.5 KB): 430 KB.
    # Then an erasure job's phase and counts said in words, not identifiers, and the redaction's audit action
    # (1.3 KB, in i18n-views.js: not on the first page): 432 KB.
    # Then the set-up checklist's item for a queue notification address that is no address (0.2 KB, on the
    # first page with the checklist's other words): 433 KB.
    assert total < 433 * 1024, total
