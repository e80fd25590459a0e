"""Rasterises media/icon.svg to media/icon.png (128 x 128, transparent corners) with the
Debian Chromium the e2e tests use, through playwright: `../.venv/bin/python
scripts/render_icon.py` from vscode-extension/. The PNG is checked in (vsce wants a PNG
icon); run this again after changing the SVG."""

from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parents[1]
SIZE = 128

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
    )
    page = browser.new_page(viewport={"width": SIZE, "height": SIZE})
    svg = (HERE / "media" / "icon.svg").read_text(encoding="utf-8")
    page.set_content(f"<body style='margin:0;background:transparent'>{svg}</body>")
    page.locator("svg").screenshot(path=str(HERE / "media" / "icon.png"), omit_background=True)
    browser.close()
