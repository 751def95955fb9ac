#!/usr/bin/env bash
# Installs the Debian packages Lapak needs that this machine lacks, and nothing else.
#   deploy/system-packages.sh demo   a JDK 17+ and Maven (the Kafka broker)
#   deploy/system-packages.sh test   also PostgreSQL and Chromium with its driver
# Needs root (apt-get); without root it only names what is missing.
set -euo pipefail

want=${1:-test}

have_postgres() {
    command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

have_java17() {
    command -v java >/dev/null 2>&1 || return 1
    local major
    major=$(java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}')
    [[ "${major:-0}" -ge 17 ]]
}

packages=()
have_java17 || packages+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || packages+=(maven)
if [[ $want == test ]]; then
    have_postgres || packages+=(postgresql)
    # the dashboard test drives Debian's chromium through its chromedriver
    [[ -x /usr/bin/chromium ]] || packages+=(chromium)
    [[ -x /usr/bin/chromedriver ]] || packages+=(chromium-driver)
fi

if ((${#packages[@]} == 0)); then
    echo "system packages for '$want' already present"
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "missing system packages: ${packages[*]} (run as root, or install them)" >&2
    exit 1
fi
echo "installing: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
