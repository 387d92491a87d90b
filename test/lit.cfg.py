# lit configuration for goro's tests (run: lit build/default/test).
#
# Substitutions every test may use:
#   %cxx                the C++ compiler the project was built with
#   %goro_cxxflags      flags to compile a program against goro's headers
#   %goro_release       the release runtime and its system libraries (link line)
#   %goro_debug         the debug runtime and its system libraries (link line)
#   %example(NAME)      path of the built example program NAME
#   %python             the Python running lit
#   %cmake              the CMake that configured the build
#   %goro_src, %goro_build  the source and build trees
# Subdirectories add their own (test/checkers/lit.local.cfg: %check_goro_tidy).
import os
import shlex
import sys

import lit.formats
import lit.util

config.name = "goro"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".test"]
config.excludes = ["unit", "Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.goro_build_dir, "test")

for feature in config.goro_features:
    config.available_features.add(feature)
if config.sanitize:
    config.available_features.add("sanitize-" + config.sanitize)

# FileCheck, not, count, clang-tidy-19 and friends come from LLVM 19.
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_bin_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
# Keep the runtime's own settings from the caller's environment out of tests.
for var in list(os.environ):
    if var.startswith("GORO_"):
        config.environment.pop(var, None)

system_libs = "-pthread -ldl"
cxxflags = "-std=c++20 -g -O1 -fno-omit-frame-pointer -I" + shlex.quote(config.goro_include_dir)
if config.sanitize:
    cxxflags += " -fsanitize=" + config.sanitize
    system_libs += " -fsanitize=" + config.sanitize
if config.sanitize == "thread":
    # No second of sleep at the exit of every program (goro's workers are alive).
    config.environment["TSAN_OPTIONS"] = "atexit_sleep_ms=0"

config.substitutions.append(("%goro_cxxflags", cxxflags))
config.substitutions.append(("%cxx", shlex.quote(config.cxx)))
config.substitutions.append(
    ("%goro_release", shlex.quote(config.goro_release_lib) + " " + system_libs))
if config.goro_debug_lib:
    config.substitutions.append(
        ("%goro_debug", shlex.quote(config.goro_debug_lib) + " " + system_libs + " -rdynamic"))
config.substitutions.append(("%python", shlex.quote(sys.executable)))
config.substitutions.append(("%cmake", shlex.quote(config.cmake)))
config.substitutions.append(("%goro_src", shlex.quote(config.goro_source_dir)))
config.substitutions.append(("%goro_build", shlex.quote(config.goro_build_dir)))
config.substitutions.append(
    (r"%example\(([A-Za-z0-9_\-]+)\)", os.path.join(config.goro_examples_dir, r"\1")))
