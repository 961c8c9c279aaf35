# cmocka, found one way for every test folder: the imported target
# cmocka::cmocka (header and library; Debian 12: libcmocka-dev). Included
# by tests/CMakeLists.txt, so every folder under tests/ can link it.
if(NOT TARGET cmocka::cmocka)
  find_path(CMOCKA_INCLUDE_DIR cmocka.h REQUIRED)
  find_library(CMOCKA_LIBRARY cmocka REQUIRED)
  add_library(cmocka::cmocka UNKNOWN IMPORTED)
  set_target_properties(cmocka::cmocka PROPERTIES
    IMPORTED_LOCATION "${CMOCKA_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CMOCKA_INCLUDE_DIR}")
endif()
