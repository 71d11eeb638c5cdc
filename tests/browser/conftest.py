"""Make a skipped browser pass impossible to miss at the end of `make test`."""


def pytest_terminal_summary(terminalreporter):
    from _chromium import REPORTS

    for line in REPORTS:
        terminalreporter.write_line(line, bold=True)
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "BROWSER TEST SKIPPED" in str(r.longrepr)]
    if skipped:
        bar = "!" * 78
        terminalreporter.write_line(bar, red=True, bold=True)
        terminalreporter.write_line(
            f"!! THE BROWSER TEST DID NOT RUN ({len(skipped)} pages skipped): no Chromium found.",
            red=True, bold=True)
        terminalreporter.write_line(
            "!! Install it with `apt-get install -y chromium`; CI (.ci/run) never skips it.",
            red=True, bold=True)
        terminalreporter.write_line(bar, red=True, bold=True)
