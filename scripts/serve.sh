#!/usr/bin/env bash
# Serves the app at http://127.0.0.1:8080 with live rebuilds. Installs what is missing first.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec trunk serve "$@"
