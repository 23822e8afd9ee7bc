# Writes OUT (wy_version.h): the project's VERSION and the git commit of
# SRC (`git describe --always --dirty`; outside a git checkout the
# environment's WY_COMMIT, which `make deb` sets, else "unknown"),
# rewritten only when they change, so a build that changes nothing
# recompiles nothing. Run at every build (CMakeLists.txt, wy-version).
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --abbrev=12
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "$ENV{WY_COMMIT}")
endif()
if(commit STREQUAL "")
  set(commit "unknown")
endif()
set(text "#define WY_VERSION \"${VERSION}\"\n#define WY_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
