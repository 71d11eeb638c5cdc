#!/usr/bin/env bash
# Fetch the JavaScript the built book serves itself, so pages need no CDN (see book_extra/README.md).
# Pinned versions; `npm pack` checks each tarball's integrity against the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=book_extra/_static/widgets
fonts_rel=@jupyter-widgets/html-manager/dist
[ -f "$dest/embed-amd.js" ] && [ -f "$dest/require.min.js" ] && [ -d "book_extra/chapters/$fonts_rel" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @jupyter-widgets/html-manager@1.0.15 requirejs@2.3.7 >/dev/null)
mkdir -p "$dest"
tar -xzf "$tmp"/jupyter-widgets-html-manager-1.0.15.tgz -C "$tmp"
cp "$tmp"/package/dist/embed-amd.js "$dest/embed-amd.js"
# The bundle loads its icon fonts from "@jupyter-widgets/html-manager/dist/" relative to the page,
# so they go next to the pages that can hold widgets (the root and chapters/).
for d in "$dest" "book_extra/$fonts_rel" "book_extra/chapters/$fonts_rel"; do
  mkdir -p "$d"
  find "$tmp"/package/dist -maxdepth 1 -type f \( -name '*.woff*' -o -name '*.ttf' -o -name '*.eot' -o -name '*.svg' \) -exec cp {} "$d/" \;
done
rm -rf "$tmp"/package
tar -xzf "$tmp"/requirejs-2.3.7.tgz -C "$tmp"
cp "$tmp"/package/require.js "$dest/require.min.js"
echo "vendored widget manager and RequireJS into $dest"
