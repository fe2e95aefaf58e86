# Sourced by tools/run and tools/test: installs the Debian packages Rankflow needs.
# Idempotent: asks dpkg first and installs nothing when everything is present. As root it
# installs without a prompt; otherwise it prints the exact apt-get line and stops.

RANKFLOW_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libvulkan-dev mesa-vulkan-drivers vulkan-tools vulkan-validationlayers glslc
  libglfw3-dev libeigen3-dev libimgui-dev libstb-dev nlohmann-json3-dev
  libgtest-dev libbenchmark-dev
  xvfb xauth xdotool fonts-dejavu-core
)

rankflow_install_dependencies() {
  local missing=()
  local pkg
  for pkg in "${RANKFLOW_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "rankflow: all ${#RANKFLOW_PACKAGES[@]} Debian packages are present"
    return 0
  fi
  local line="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "rankflow: missing Debian packages: ${missing[*]}" >&2
    echo "rankflow: run this, then run this script again:" >&2
    echo "  sudo apt-get update && sudo $line" >&2
    return 1
  fi
  echo "rankflow: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && $line
}

# Configures and builds the release tree in build/release; optional targets limit the
# build (tools/run builds only the rankflow executable).
rankflow_build_release() {
  local root="$1"
  shift
  local targets=()
  if [ $# -gt 0 ]; then targets=(--target "$@"); fi
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  (cd "$root" && cmake --preset release) || return 1
  cmake --build "$root/build/release" --parallel "$jobs" "${targets[@]}"
}
