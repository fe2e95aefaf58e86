# Sourced by tools/run and tools/test: installs the Debian packages Rankflow needs.
# Idempotent: asks dpkg first and installs nothing when everything is present. As root it
# installs without a prompt; otherwise it prints the exact apt-get line and stops.

RANKFLOW_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libvulkan-dev mesa-vulkan-drivers vulkan-tools vulkan-validationlayers glslc
  libglfw3-dev libeigen3-dev libimgui-dev libstb-dev nlohmann-json3-dev
  libgtest-dev libbenchmark-dev
  xvfb xauth xdotool fonts-dejavu-core ffmpeg
  python3-dev python3-venv
  clang-14 libclang-rt-14-dev
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

# The venv of Python build and test tools from PyPI (docs/python.md), in build/venv. Made
# once; the Python module is then built for its interpreter.
rankflow_python_venv() {
  local root="$1"
  local venv="$root/build/venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import nanobind, pytest, numpy, dask.distributed, matplotlib, nbclient, ipykernel" 2>/dev/null; then
    echo "rankflow: making the Python venv $venv (nanobind, scikit-build-core, pytest, numpy, dask, matplotlib, nbclient from PyPI)"
    /usr/bin/python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install -q --upgrade pip || return 1
    # matplotlib, nbclient, nbformat and ipykernel run the example notebook (docs/examples).
    "$venv/bin/pip" install -q nanobind scikit-build-core pytest numpy dask distributed matplotlib nbclient nbformat \
      ipykernel || return 1
  fi
}

# Configures and builds the release tree in build/release; optional targets limit the
# build (tools/run builds only the rankflow executable). RANKFLOW_CONFIGURE_ARGS adds
# cache settings (tools/test: the Python module).
rankflow_build_release() {
  local root="$1"
  shift
  local targets=()
  if [ $# -gt 0 ]; then targets=(--target "$@"); fi
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  # shellcheck disable=SC2086
  (cd "$root" && cmake --preset release ${RANKFLOW_CONFIGURE_ARGS:-}) || return 1
  cmake --build "$root/build/release" --parallel "$jobs" "${targets[@]}"
}
