"""Where the browser tests find Chromium, and what happens when they cannot.

Chromium comes from Debian (``/usr/bin/chromium``), never from Playwright's own download.
Where it (or the playwright package) is missing, the browser tests are skipped on a
developer's machine and fail in CI (``CI=true``), so a CI machine without a browser cannot
pass silently.

Every page a browser test shows is checked with axe-core (vendored under ``vendor/``):
:class:`AxeWatch` runs it before each navigation and on the last page, and the test fails
with the list of violations (WCAG 2.1 A and AA and best practices, at every impact).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_MISSING = (
    "Chromium not installed: run `sudo apt-get install chromium fonts-noto-cjk` "
    "to run the browser tests"
)
PLAYWRIGHT_MISSING = "Playwright not installed: run `make setup-test` to run the browser tests"


def unavailable(message: str, detail: str, *, module_level: bool = False) -> NoReturn:
    """Skip, or in CI (``CI=true``) fail: a CI run must never pass without its browser."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests cannot run in CI. {message} ({detail})", pytrace=False)
    pytest.skip(f"{message} ({detail})", allow_module_level=module_level)


# --- accessibility: axe-core on every page the browser tests visit -------------------------

AXE_VERSION = "4.14.1"
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# Every rule of WCAG 2.0/2.1 levels A and AA and axe's best practices, at every impact.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
# Runs one axe at a time in the page (a check before leaving a page may overlap an explicit
# one) and returns the violations as plain data.
_AXE_RUN = """
async (tags) => {
  while (window.__concordAxeRun) { await window.__concordAxeRun.catch(() => null); }
  const run = window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  window.__concordAxeRun = run;
  try {
    const result = await run;
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact || "",
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : String(t))).join(", "),
        summary: (n.failureSummary || "").replace(/\\s+/g, " ").trim(),
      })),
    }));
  } finally {
    window.__concordAxeRun = null;
  }
}
"""


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page: where, how badly, and what to do."""

    url: str
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]
    summary: str

    def describe(self) -> str:
        lines = [f"  [{self.impact}] {self.rule}: {self.help} ({self.help_url})"]
        lines += [f"      at {target}" for target in self.targets]
        if self.summary:
            lines.append(f"      {self.summary[:300]}")
        return "\n".join(lines)


@cache
def _axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def axe_violations(page: Any) -> list[Violation]:
    """Run axe-core on the page as it is now (the script is evaluated through the DevTools
    protocol, so the app's Content-Security-Policy does not apply to it)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found = page.evaluate(_AXE_RUN, list(AXE_TAGS))
    url = _path(page.url)
    return [
        Violation(
            url=url,
            rule=v["rule"],
            impact=v["impact"],
            help=v["help"],
            help_url=v["helpUrl"],
            targets=tuple(n["target"] for n in v["nodes"]),
            summary=v["nodes"][0]["summary"] if v["nodes"] else "",
        )
        for v in found
    ]


def axe_report(violations: list[Violation]) -> str:
    """The violations grouped by page, one rule per entry, with the elements it failed on."""
    pages: dict[str, list[Violation]] = {}
    for violation in violations:
        pages.setdefault(violation.url, []).append(violation)
    blocks = [
        f"{url} ({len(found)} rule(s) broken):\n" + "\n".join(v.describe() for v in found)
        for url, found in pages.items()
    ]
    return f"axe-core {AXE_VERSION} found accessibility violations:\n" + "\n".join(blocks)


def assert_accessible(page: Any, step: str = "") -> None:
    """Fail, listing every violation, unless axe finds none on the page as it is now."""
    violations = axe_violations(page)
    if violations:
        where = f"{step}: " if step else ""
        pytest.fail(where + axe_report(violations), pytrace=False)


# Run in every document of a watched page before its own scripts (as an init script, so
# the app's Content-Security-Policy does not apply): once the page has loaded, axe checks it
# and reports to the test through a binding. Until the report is in, a link followed or a
# form posted waits for it (and then goes on, with the same submit button), so a page is
# never left unchecked however fast the test moves on.
_AXE_ON_LOAD = """
(() => {
  if (window.top !== window || !location.protocol.startsWith("http")) return;
  const tags = %(tags)s;
  let done = false;
  let finish;
  window.__concordAxeChecked = new Promise((resolve) => { finish = resolve; });
  const check = async () => {
    try {
      const result = await window.axe.run(document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
      });
      await window.__concordAxeReport(location.href, result.violations.map((v) => ({
        rule: v.id,
        impact: v.impact || "",
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : String(t))).join(", "),
          summary: (n.failureSummary || "").replace(/\\s+/g, " ").trim(),
        })),
      })), "");
    } catch (err) {
      await window.__concordAxeReport(location.href, [], String(err));
    } finally {
      done = true;
      finish(true);
    }
  };
  window.addEventListener("load", () => setTimeout(check, 0));
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (done || (form.target && form.target !== "_self")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter;
    window.__concordAxeChecked.then(() => form.requestSubmit(submitter || undefined));
  }, true);
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a[href]");
    if (done || !link || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    // A link within the page, to a new window or to a download does not leave the page.
    if (link.getAttribute("href").startsWith("#") || link.hasAttribute("download")) return;
    if (link.target && link.target !== "_self") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    window.__concordAxeChecked.then(() => link.click());
  }, true);
})();
"""


class AxeWatch:
    """Checks every page a browser page shows, as it has loaded.

    Each document the page loads runs axe once loaded and reports here (see
    ``_AXE_ON_LOAD``); links and forms wait for the report, and ``goto``, ``reload`` and
    :meth:`finish` wait for the page shown to be checked first. Violations are collected
    (a binding cannot fail the test) and reported by :meth:`finish`."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.problems: list[str] = []
        self.checked: list[str] = []  # the path of every page checked, in order
        self._seen: set[tuple[str, str, tuple[str, ...]]] = set()

    def attach(self, page: Any) -> AxeWatch:
        page.expose_binding("__concordAxeReport", self._report)
        page.add_init_script(script=_axe_source())
        page.add_init_script(script=_AXE_ON_LOAD % {"tags": json.dumps(list(AXE_TAGS))})
        for name in ("goto", "reload", "go_back", "go_forward"):
            navigate = getattr(page, name)
            setattr(page, name, self._after_check(page, navigate))
        return self

    def _after_check(self, page: Any, navigate: Callable[..., Any]) -> Callable[..., Any]:
        def checked_first(*args: Any, **kwargs: Any) -> Any:
            self.settle(page)
            return navigate(*args, **kwargs)

        return checked_first

    def _report(self, source: Any, url: str, found: list[dict[str, Any]], error: str) -> None:
        self.checked.append(_path(url))
        if error:
            self.problems.append(f"axe could not check {_path(url)}: {error}")
        for v in found:
            violation = Violation(
                url=_path(url),
                rule=v["rule"],
                impact=v["impact"],
                help=v["help"],
                help_url=v["helpUrl"],
                targets=tuple(n["target"] for n in v["nodes"]),
                summary=v["nodes"][0]["summary"] if v["nodes"] else "",
            )
            key = (violation.url, violation.rule, violation.targets)
            if key not in self._seen:
                self._seen.add(key)
                self.violations.append(violation)

    def settle(self, page: Any) -> None:
        """Wait until the page shown now has been checked (nothing to wait for on a blank
        page or one not of the app)."""
        if page.is_closed() or not page.url.startswith("http"):
            return
        page.evaluate("() => window.__concordAxeChecked")

    def finish(self, page: Any) -> str | None:
        """Check the page shown now; the report of everything found, or None."""
        self.settle(page)
        if not self.violations and not self.problems:
            return None
        report = axe_report(self.violations) if self.violations else ""
        return "\n".join([report, *self.problems]).strip()
