#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler 1.20.2 for the test harness,
# from Debian bookworm's `kubernetes` source package with Debian's Go 1.19, like
# ../shared/kube/build-from-debian-source.sh, plus one fix: the vendored
# github.com/modern-go/reflect2 v1.0.1 is replaced by Debian's 1.0.2. With 1.0.1, binaries built
# by Go >= 1.18 crash (SIGSEGV in mapiterinit via json-iterator) on the first write of a custom
# resource, because reflect2 1.0.1 mirrors the runtime's map iterator layout of older Go.
#
# Output in $OUT (default <repo>/.cache/kube-xz, which the harness prefers over ../shared/kube):
# <binary>.xz for each binary and SHA256SUMS of the uncompressed binaries, the layout the harness
# reads (elsewhere, point KUBE_ASSETS_XZ at it, or copy it over ../shared/kube).
# About 6-10 minutes on 2 cores. Needs root for apt-get.
set -euo pipefail
OUT=${OUT:-$(cd "$(dirname "$0")/../.." && pwd)/.cache/kube-xz}
WORK=${WORK:-$(mktemp -d)}
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > /etc/apt/sources.list.d/bookworm-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go rsync make xz-utils \
  golang-github-modern-go-reflect2-dev >/dev/null
cd "$WORK"
apt-get source --download-only kubernetes=1.20.5+really1.20.2-1.1+deb12u1
tar xzf kubernetes_1.20.5+really1.20.2.orig.tar.gz
cd kubernetes-1.20.2
R2=vendor/github.com/modern-go/reflect2
SRC2=/usr/share/gocode/src/github.com/modern-go/reflect2
test -f "$SRC2/go_above_118.go" || { echo "Debian's reflect2 lacks go_above_118.go" >&2; exit 1; }
rm -f "$R2"/*.go "$R2"/*.s
cp "$SRC2"/*.go "$SRC2"/*.s "$R2"/
rm -f "$R2"/*_test.go
env HOME="$WORK/home" GOFLAGS= make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler"
mkdir -p "$OUT"
cd _output/bin
sha256sum kube-apiserver kube-controller-manager kube-scheduler > "$OUT/SHA256SUMS"
for b in kube-apiserver kube-controller-manager kube-scheduler; do xz -T2 -9 -c "$b" > "$OUT/$b.xz"; done
echo "built into $OUT"
