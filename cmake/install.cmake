# make install: what a Linux user gets (GNUInstallDirs; PREFIX and DESTDIR as
# usual). libextwd with the Linux i2c-dev port, shared (with a soname) and
# static, extwd.pc, a CMake package (find_package(extwd)), extwdctl and
# extwd-sim with their man pages, bash completion, the systemd unit and its
# configuration file. SPDX-License-Identifier: MIT
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The library the users link: the core's sources plus the Linux port, from
# the folders that own them.
get_target_property(_extwd_core_sources extwd SOURCES)
set(_extwd_sources)
foreach(s ${_extwd_core_sources})
  list(APPEND _extwd_sources ${CMAKE_SOURCE_DIR}/lib/${s})
endforeach()
list(APPEND _extwd_sources ${CMAKE_SOURCE_DIR}/ports/linux/extwd_linux.c)
set(_extwd_headers
  ${EXTWD_INCLUDE_DIR}/extwd/extwd.h ${EXTWD_INCLUDE_DIR}/extwd/protocol.h
  ${EXTWD_INCLUDE_DIR}/extwd/timer.h ${EXTWD_INCLUDE_DIR}/extwd/compat.h
  ${CMAKE_SOURCE_DIR}/ports/linux/extwd_linux.h)

foreach(kind SHARED STATIC)
  string(TOLOWER ${kind} k)
  add_library(extwd_${k} ${kind} ${_extwd_sources})
  set_target_properties(extwd_${k} PROPERTIES OUTPUT_NAME extwd EXPORT_NAME extwd_${k}
    POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET default
    ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/install-lib
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/install-lib)
  target_include_directories(extwd_${k} PUBLIC
    $<BUILD_INTERFACE:${EXTWD_INCLUDE_DIR}> $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/ports/linux>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/extwd>)
endforeach()
set_target_properties(extwd_shared PROPERTIES EXPORT_NAME extwd
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})

install(TARGETS extwd_shared extwd_static EXPORT extwdTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${_extwd_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/extwd)
install(EXPORT extwdTargets NAMESPACE extwd:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/extwd)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/extwdConfig.cmake.in
  ${CMAKE_BINARY_DIR}/extwdConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/extwd)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/extwdConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/extwdConfig.cmake ${CMAKE_BINARY_DIR}/extwdConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/extwd)
configure_file(${CMAKE_SOURCE_DIR}/cmake/extwd.pc.in ${CMAKE_BINARY_DIR}/extwd.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/extwd.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The programs, and their man pages built from their --help and --version
# (help2man) plus the sections in docs/man/.
find_program(HELP2MAN help2man REQUIRED)
set(_extwd_programs extwdctl:8)
if(TARGET extwd-sim)
  list(APPEND _extwd_programs extwd-sim:1)
endif()
set(_extwd_man_pages)
foreach(entry ${_extwd_programs})
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 prog)
  list(GET parts 1 section)
  set(page ${CMAKE_BINARY_DIR}/man/${prog}.${section})
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -E env EXTWD_BUS= ${HELP2MAN} --no-info --no-discard-stderr
            --section=${section} --include=${CMAKE_SOURCE_DIR}/docs/man/${prog}.h2m
            --output=${page} $<TARGET_FILE:${prog}>
    DEPENDS ${prog} ${CMAKE_SOURCE_DIR}/docs/man/${prog}.h2m
    COMMENT "man page ${prog}(${section})")
  list(APPEND _extwd_man_pages ${page})
  install(TARGETS ${prog} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(man ALL DEPENDS ${_extwd_man_pages})

install(FILES ${CMAKE_SOURCE_DIR}/tools/extwdctl/extwdctl.bash-completion
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME extwdctl)

# systemd: the unit (in the prefix's lib/systemd/system, which systemd reads
# for /usr and /usr/local) and its configuration file.
set(EXTWD_CONF ${CMAKE_INSTALL_FULL_SYSCONFDIR}/extwd.conf)
configure_file(${CMAKE_SOURCE_DIR}/tools/extwdctl/extwd.service.in ${CMAKE_BINARY_DIR}/extwd.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/extwd.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/tools/extwdctl/extwd.conf DESTINATION ${CMAKE_INSTALL_SYSCONFDIR})

install(FILES README.md SPEC.md LICENSE docs/linux.md docs/mqtt.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
foreach(mcu attiny85 atmega328p)
  install(FILES ${EXTWD_FIRMWARE_DIR}/${mcu}/extwd.elf ${EXTWD_FIRMWARE_DIR}/${mcu}/extwd.hex
    DESTINATION ${CMAKE_INSTALL_DATADIR}/extwd/firmware/${mcu} OPTIONAL)
endforeach()
