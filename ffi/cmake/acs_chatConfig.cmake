# find_package(acs_chat) support for libacs_chat. Imported targets:
#   acs_chat::acs_chat         the shared library
#   acs_chat::acs_chat_static  the static library (with the system libraries it needs)
# Paths are computed from this file's location: <prefix>/lib/cmake/acs_chat/.
get_filename_component(_acs_chat_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET acs_chat::acs_chat)
  add_library(acs_chat::acs_chat SHARED IMPORTED)
  set_target_properties(acs_chat::acs_chat PROPERTIES
    IMPORTED_LOCATION "${_acs_chat_prefix}/lib/libacs_chat.so"
    IMPORTED_SONAME "libacs_chat.so"
    INTERFACE_INCLUDE_DIRECTORIES "${_acs_chat_prefix}/include")
endif()

if(NOT TARGET acs_chat::acs_chat_static)
  add_library(acs_chat::acs_chat_static STATIC IMPORTED)
  set_target_properties(acs_chat::acs_chat_static PROPERTIES
    IMPORTED_LOCATION "${_acs_chat_prefix}/lib/libacs_chat.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_acs_chat_prefix}/include"
    INTERFACE_LINK_LIBRARIES "pthread;dl;m")
endif()

unset(_acs_chat_prefix)
set(acs_chat_FOUND TRUE)
