# apt-install.sh — sourced by the benchmark scripts (bash): apt_install PKG...
# installs Debian packages with apt-get, through sudo when not root, and
# refreshes the package lists only if the first attempt fails (they are
# often fresh enough). The caller defines die and note.
apt_install() {
    local sudo=()
    if [[ $(id -u) != 0 ]]; then
        command -v sudo >/dev/null || die "need root (or sudo) to install: $*"
        sudo=(sudo)
    fi
    note "installing: $*"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y "$@" ||
        { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y "$@"; } ||
        die "apt-get install $* failed"
}
