#!/usr/bin/env bash
# Install attrdb with its test extras (and Debian's chromium for the report's browser test),
# then run the test suite: every test except those marked slow (full shared data) or gpu.
# README command 2; .ci/run calls it. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# The project's tested releases (tools/constraints.txt) within pyproject's ranges.
python3 -m pip install --quiet --disable-pip-version-check -c tools/constraints.txt -e '.[dev,spark]'

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium not found and cannot be installed here: the browser test will be skipped" >&2
    fi
fi

exec python3 -m pytest -m "not slow and not gpu" -p no:cacheprovider "$@"
