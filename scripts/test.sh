#!/usr/bin/env bash
# Runs every test: the native model core, then the release build in headless Chromium.
# Installs what is missing first. Screenshots land in test-results/screenshots/ (git-ignored).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

echo "== cargo test (model core, native) =="
cargo test --locked --profile native-test -p genai-core

echo "== trunk build --release =="
E2E_DIST="$ROOT/target/e2e-dist"
trunk build --release --dist "$E2E_DIST"

echo "== browser tests (headless Chromium) =="
E2E_DIST="$E2E_DIST" node --test --test-concurrency=1 tests/e2e/
