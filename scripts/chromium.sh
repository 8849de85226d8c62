# Sourced by run-tests.sh: makes sure Debian's chromium is installed, for the tests that click through the admin
# console and the project's pages (driven by puppeteer-core from npm, which downloads no browser of its own).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium (apt-get install chromium) for the browser tests" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y --no-install-recommends chromium >/dev/null
fi
