#!/usr/bin/env bash
# Creates .venv and installs the pinned requirements and front-end packages, only when they changed.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

if [ ! -x .venv/bin/python ]; then
  say "Creating the virtual environment in .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "Installing pinned Python requirements (requirements/dev.txt, production.txt)"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements/dev.txt -r requirements/production.txt
  echo "$want" >"$stamp"
else
  say "Python requirements up to date"
fi

fe_stamp=node_modules/.package.sha
fe_want=$(sha256sum package.json | cut -d' ' -f1)
if [ "$(cat "$fe_stamp" 2>/dev/null)" != "$fe_want" ] || [ ! -f static/vendor/htmx.min.js ] || [ ! -f static/vendor/three/three.module.js ]; then
  if ! command -v npm >/dev/null; then
    say "Installing Node.js and npm with apt-get"
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  say "Installing front-end packages from the npm registry"
  npm install --no-audit --no-fund --silent
  mkdir -p static/vendor
  cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
  # three.js for the 3D part viewer: the core module and the add-ons it imports (GLTF loader, orbit controls and
  # the loader's two helpers), loaded through an import map.
  rm -rf static/vendor/three && mkdir -p static/vendor/three/addons
  cp node_modules/three/build/three.module.js node_modules/three/build/three.core.js static/vendor/three/
  for addon in loaders/GLTFLoader.js controls/OrbitControls.js utils/BufferGeometryUtils.js utils/SkeletonUtils.js; do
    mkdir -p "static/vendor/three/addons/$(dirname "$addon")"
    cp "node_modules/three/examples/jsm/$addon" "static/vendor/three/addons/$addon"
  done
  echo "$fe_want" >"$fe_stamp"
else
  say "Front-end packages up to date"
fi

# The browser journeys (tests/browser) drive Debian's Chromium through Playwright; no browser is downloaded.
if ! command -v chromium >/dev/null; then
  say "Installing Chromium with apt-get (for the browser journeys)"
  apt-get update -qq && apt-get install -y -qq chromium fonts-liberation >/dev/null
fi
