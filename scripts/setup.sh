#!/usr/bin/env bash
# Installs whatever the app and its tests need and is missing; skips what is present.
# Sourced by scripts/serve.sh, scripts/test.sh and scripts/bench.sh. Safe to run again and again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
# Tools are built with a lighter release profile: ~3x faster to install, same behaviour.
quick_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install "$@"
}

# 1. The WebAssembly target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Trunk 0.21.14 (0.22 needs a newer rustc than this machine's).
if ! trunk --version 2>/dev/null | grep -q ' 0\.21\.14'; then
  log "installing trunk 0.21.14 (10-30 minutes, once)"
  quick_install trunk --version 0.21.14 --locked
fi

# 3. wasm-bindgen-cli at exactly the version in Cargo.lock (without --locked: see TOOLCHAIN notes).
WB_VERSION="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if ! grep -q "wasm_bindgen = \"$WB_VERSION\"" Trunk.toml; then
  echo "Trunk.toml [tools] wasm_bindgen must equal Cargo.lock's wasm-bindgen ($WB_VERSION)" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\b"; then
  log "installing wasm-bindgen-cli $WB_VERSION (about 10 minutes, once)"
  quick_install wasm-bindgen-cli --version "$WB_VERSION"
fi

# 4. Debian's Chromium and ChromeDriver for the browser tests.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  log "installing chromium and chromium-driver from Debian"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium chromium-driver
fi

# 5. npm packages from the committed lock file (playwright-core, axe-core, binaryen@132 for wasm-opt).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
if ! wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  echo "wasm-opt 132 from npm binaryen is not first on PATH (found: $(command -v wasm-opt || echo none))" >&2
  exit 1
fi

# 6. Crates for the offline Trunk build (a no-op when already fetched).
cargo fetch --locked --quiet
