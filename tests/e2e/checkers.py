"""The two page checkers the accessibility tests run: Deque's axe-core in the browser, and the Nu
HTML Checker (vnu.jar) on the HTML the server sent. Both come from node_modules (`make test`
installs them); the Nu checker also needs Java."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}
BLOCKING_IMPACTS = {"serious", "critical"}
BLOCKING_MESSAGE_TYPES = {"error", "non-document-error"}

HOW_TO_INSTALL = (
    "run `make test`, which installs the test tools (npm ci for node_modules, apt for Java)"
)


def axe_missing():
    """Why axe cannot run here, or None."""
    if not AXE_JS.exists():
        return f"axe-core not found at {AXE_JS.relative_to(ROOT)}: {HOW_TO_INSTALL}."
    return None


def vnu_missing():
    """Why the Nu HTML Checker cannot run here, or None."""
    if not VNU_JAR.exists():
        return f"vnu.jar not found at {VNU_JAR.relative_to(ROOT)}: {HOW_TO_INSTALL}."
    if shutil.which("java") is None:
        return f"`java` not found, needed for the Nu HTML Checker: {HOW_TO_INSTALL}."
    return None


# axe ---------------------------------------------------------------------------------------------


def run_axe(page):
    """axe-core's blocking violations on the page as it is now."""
    start_axe(page)
    return axe_violations(page)


def load_axe(context):
    """Put axe-core in every page of `context` as it loads: as the browser's own script, which
    the site's Content-Security-Policy (no inline scripts) does not block, and must not."""
    context.add_init_script(path=str(AXE_JS))


def start_axe(page):
    """Start axe-core on the page and return at once: pages can be checked side by side."""
    page.evaluate("options => { window.axeRun = axe.run(document, options); }", AXE_OPTIONS)


def axe_violations(page):
    """The blocking violations found by the run start_axe began on the page."""
    violations = page.evaluate("() => window.axeRun.then(results => results.violations)")
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {' '.join(map(str, node['target']))}")
            lines.append(f"    {node['html'][:300]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"    {summary[:300]}")
    return "\n".join(lines)


# Nu HTML Checker ---------------------------------------------------------------------------------


def check_html(documents):
    """Run vnu.jar once over several documents, given as {name: html}.

    Returns {name: [blocking message, …]}; one JVM for all of them, as its start-up is slow.
    """
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        files = []
        for name, html in documents.items():
            files.append(Path(folder) / f"{name}.html")
            files[-1].write_text(html, encoding="utf-8")
        result = subprocess.run(
            ["java", "-jar", VNU_JAR, "--format", "json", "--exit-zero-always", *files],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    # The JSON report goes to stderr; a JVM warning may come before it.
    report = result.stderr[result.stderr.find("{") :]
    try:
        messages = json.loads(report)["messages"]
    except ValueError as error:
        raise AssertionError(f"vnu.jar gave no JSON report:\n{result.stderr}") from error
    found = {name: [] for name in documents}
    for message in messages:
        if message.get("type") not in BLOCKING_MESSAGE_TYPES:
            continue
        name = PurePosixPath(urlparse(message.get("url", "")).path).stem
        if name in found:
            found[name].append(message)
        else:  # not about one document (e.g. the checker failed): every page reports it
            for problems in found.values():
                problems.append(message)
    return found


def describe_html_messages(name, messages):
    lines = []
    for message in messages:
        where = f"{name}.html:{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
        lines.append(f"{where}: {message['type']}: {message.get('message', '')}")
        extract = message.get("extract", "").replace("\n", " ").strip()[:200]
        if extract:
            lines.append(f"    {extract}")
    return "\n".join(lines)
