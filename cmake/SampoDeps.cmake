# Find the Debian-packaged dependencies and say clearly what is missing.
# scripts/install-deps.sh installs all of them.
find_package(PkgConfig QUIET)
set(_sampo_missing "")

find_package(OpenSSL QUIET COMPONENTS Crypto)
if(NOT OpenSSL_FOUND)
  list(APPEND _sampo_missing "libssl-dev (OpenSSL libcrypto: SHA-1/SHA-256 for tokens)")
endif()

find_path(UTHASH_INCLUDE_DIR uthash.h)
if(NOT UTHASH_INCLUDE_DIR)
  list(APPEND _sampo_missing "uthash-dev (hash tables)")
endif()

if(SAMPO_BUILD_CLI OR SAMPO_BUILD_TESTS OR SAMPO_BUILD_BENCH)
  find_path(PCAP_INCLUDE_DIR pcap/pcap.h)
  find_library(PCAP_LIBRARY pcap)
  if(NOT PCAP_INCLUDE_DIR OR NOT PCAP_LIBRARY)
    list(APPEND _sampo_missing "libpcap-dev (capture files and live capture)")
  else()
    add_library(sampo_pcap INTERFACE)
    target_include_directories(sampo_pcap INTERFACE ${PCAP_INCLUDE_DIR})
    target_link_libraries(sampo_pcap INTERFACE ${PCAP_LIBRARY})
  endif()
endif()

if(SAMPO_BUILD_TESTS)
  if(PkgConfig_FOUND)
    pkg_check_modules(CRITERION QUIET IMPORTED_TARGET criterion)
  endif()
  if(NOT CRITERION_FOUND)
    list(APPEND _sampo_missing "libcriterion-dev (unit tests; or -DSAMPO_BUILD_TESTS=OFF)")
  endif()
endif()

set(SAMPO_HAVE_LIBTRACE OFF)
if(NOT SAMPO_WITH_LIBTRACE STREQUAL "OFF" AND SAMPO_BUILD_CLI)
  find_path(TRACE_INCLUDE_DIR libtrace.h)
  find_library(TRACE_LIBRARY trace)
  if(TRACE_INCLUDE_DIR AND TRACE_LIBRARY)
    set(SAMPO_HAVE_LIBTRACE ON)
    add_library(sampo_trace INTERFACE)
    target_include_directories(sampo_trace INTERFACE ${TRACE_INCLUDE_DIR})
    target_link_libraries(sampo_trace INTERFACE ${TRACE_LIBRARY})
  elseif(SAMPO_WITH_LIBTRACE STREQUAL "ON")
    list(APPEND _sampo_missing "libtrace3-dev (libtrace inputs; or -DSAMPO_WITH_LIBTRACE=OFF)")
  endif()
endif()

# Wireshark's wiretap reads the pcapng files libpcap refuses (interfaces of
# different link types: docs/cli.md, "Multi-interface pcapng").  It is
# GPL-2.0-or-later: a sampo-cli linked with it is distributed under the
# GPL's terms (libsampo is not affected).  -DSAMPO_WITH_WIRETAP=OFF leaves it out.
set(SAMPO_HAVE_WIRETAP OFF)
if(NOT SAMPO_WITH_WIRETAP STREQUAL "OFF" AND SAMPO_BUILD_CLI)
  find_path(WIRETAP_INCLUDE_DIR wiretap/wtap.h PATH_SUFFIXES wireshark)
  find_library(WIRETAP_LIBRARY wiretap)
  find_library(WSUTIL_LIBRARY wsutil)
  if(PkgConfig_FOUND)
    pkg_check_modules(SAMPO_GLIB QUIET glib-2.0)
  endif()
  if(WIRETAP_INCLUDE_DIR AND WIRETAP_LIBRARY AND WSUTIL_LIBRARY AND SAMPO_GLIB_FOUND)
    set(SAMPO_HAVE_WIRETAP ON)
    add_library(sampo_wiretap INTERFACE)
    # SYSTEM: GLib's and Wireshark's headers are not held to our warnings.
    target_include_directories(sampo_wiretap SYSTEM INTERFACE ${WIRETAP_INCLUDE_DIR}
                               ${SAMPO_GLIB_INCLUDE_DIRS})
    # Headers only: sampo-cli dlopen()s wiretap the first time a file needs
    # it (input_wtap.c), by the SONAME of the library found here, so that
    # runs on files libpcap reads do not pay for loading it and GLib.
    execute_process(COMMAND ${CMAKE_OBJDUMP} -p ${WIRETAP_LIBRARY} OUTPUT_VARIABLE _wtap_p
                    ERROR_QUIET)
    string(REGEX MATCH "SONAME +(libwiretap[^\n ]+)" _m "${_wtap_p}")
    set(SAMPO_WIRETAP_SONAME "${CMAKE_MATCH_1}")
    if(NOT SAMPO_WIRETAP_SONAME)
      get_filename_component(SAMPO_WIRETAP_SONAME "${WIRETAP_LIBRARY}" NAME)
    endif()
    target_compile_definitions(sampo_wiretap INTERFACE
                               SAMPO_WIRETAP_SONAME="${SAMPO_WIRETAP_SONAME}")
    target_link_libraries(sampo_wiretap INTERFACE ${CMAKE_DL_LIBS})
  elseif(SAMPO_WITH_WIRETAP STREQUAL "ON")
    list(APPEND _sampo_missing
         "libwiretap-dev libwsutil-dev libglib2.0-dev (multi-link-type pcapng; or -DSAMPO_WITH_WIRETAP=OFF)")
  endif()
endif()

# libnetfilter_queue: sampo-nf, the inline firewall on NFQUEUE
# (docs/sampo-nf.md).  Built with the CLI (it needs libpcap for its filters)
# when the library is found; -DSAMPO_WITH_NFQUEUE=OFF leaves it out.
set(SAMPO_HAVE_NFQUEUE OFF)
if(NOT SAMPO_WITH_NFQUEUE STREQUAL "OFF" AND SAMPO_BUILD_CLI)
  if(PkgConfig_FOUND)
    pkg_check_modules(SAMPO_NFQ QUIET IMPORTED_TARGET libnetfilter_queue)
  endif()
  if(SAMPO_NFQ_FOUND AND TARGET sampo_pcap)
    set(SAMPO_HAVE_NFQUEUE ON)
  elseif(SAMPO_WITH_NFQUEUE STREQUAL "ON")
    list(APPEND _sampo_missing "libnetfilter-queue-dev (sampo-nf; or -DSAMPO_WITH_NFQUEUE=OFF)")
  endif()
endif()

if(_sampo_missing)
  string(REPLACE ";" "\n  - " _m "${_sampo_missing}")
  message(FATAL_ERROR "sampo: missing build dependencies:\n  - ${_m}\n"
          "Install them with: sudo scripts/install-deps.sh")
endif()
message(STATUS "sampo: libtrace input backend: ${SAMPO_HAVE_LIBTRACE}")
if(SAMPO_HAVE_WIRETAP)
  message(STATUS "sampo: wiretap pcapng backend: ON, ${SAMPO_WIRETAP_SONAME} loaded when needed"
                 " (GPL-2.0-or-later: so is the sampo-cli binary)")
else()
  message(STATUS "sampo: wiretap pcapng backend: OFF")
endif()
message(STATUS "sampo: sampo-nf (NFQUEUE firewall): ${SAMPO_HAVE_NFQUEUE}")
