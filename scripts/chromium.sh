# Sourced by run-tests.sh: makes sure Debian's chromium is installed, for the tests that click through the admin
# console and the project's pages (driven by puppeteer-core from npm, which downloads no browser of its own).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium (apt-get install chromium) for the browser tests" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y --no-install-recommends chromium >/dev/null
fi
# Japanese and Chinese glyphs for the screenshots of the pages in those languages (otherwise drawn as boxes).
if ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
  echo "Installing CJK fonts (apt-get install fonts-noto-cjk) for the screenshots in Japanese and Chinese" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y --no-install-recommends fonts-noto-cjk >/dev/null || echo "fonts-noto-cjk not installed: CJK screenshots show boxes" >&2
fi
