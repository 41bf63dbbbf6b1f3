#!/usr/bin/env bash
# One-shot, idempotent environment setup for ecg-viewer.
#   - installs the Debian packages a Qt window, the Xvfb screenshot test and the PDF checks need
#     (only when running as root with apt-get, and only what is missing)
#   - creates .venv with Python 3.11 and installs the project + dev tools, pinned by constraints.txt
# Usage: scripts/setup.sh            (called by `make run` / `make test`)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
              libxcb-cursor0 libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-xkb1
              libxkbcommon-x11-0 libxkbcommon0 libegl1 libgl1 libfontconfig1 libdbus-1-3
              poppler-utils x11-utils)  # x11-utils: xwininfo for build_installer.py --check

install_apt() {
    command -v apt-get >/dev/null 2>&1 || { echo "setup: no apt-get; install these yourself if missing: ${APT_PACKAGES[*]}"; return 0; }
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "setup: missing Debian packages (${missing[*]}) and not root; install them and re-run."; return 0; fi
    fi
    echo "setup: apt-get install ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
    for c in python3.11 python3; do
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            echo "$c"; return 0; fi
    done
    echo "setup: Python 3.11 is required (found: $(python3 --version 2>&1))" >&2; return 1
}

install_apt

PY=$(pick_python)
STAMP=.venv/.setup-stamp
WANT=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ -x .venv/bin/python ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
    exit 0
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
echo "setup: installing Python packages into .venv (pinned by constraints.txt)"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]"
echo "$WANT" > "$STAMP"
echo "setup: done"
