#!/usr/bin/env bash
# sha256sum of stdin or of the files given, printed as sha256sum prints it. macOS 13 and older
# have no sha256sum, only shasum, which prints the same.
if command -v sha256sum >/dev/null; then
  exec sha256sum "$@"
fi
exec shasum -a 256 "$@"
