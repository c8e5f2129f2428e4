"""Take the README's screenshots of a running platform (make run) with headless Chromium.

Usage: python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
Needs the `playwright` package (not a project dependency) and Debian's chromium at /usr/bin/chromium;
Playwright's own browser download does not work on the intranet.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "Dadukou-demo-2026"
SHOTS = [
    # (user, path, file, width)
    ("mediator", "/", "home.png", 1280),
    ("dispatcher", "/disputes/queue/", "queue.png", 1280),
    ("dispatcher", "/disputes/", "disputes.png", 1280),
    ("mediator", "/disputes/new/", "intake.png", 1280),
    ("office", "/mediation/registry/", "registry.png", 1280),
    ("office", "/plan/", "plan-matrix.png", 1600),
    ("mediator", "/disputes/", "disputes-phone.png", 390),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=args.chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        for user, path, name, width in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
            page.goto(f"{args.base}/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{args.base}{path}")
            page.screenshot(path=str(args.out / name), full_page=False)
            print(f"{name}: {page.title()}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
