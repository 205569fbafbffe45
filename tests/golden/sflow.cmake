# sFlow input: sampo-cli --sflow on data/pcaps/sflow-mptcp-v0.pcap (the
# export of mptcp-v0.pcap by tools/sflow-export.py -N 1, an sFlow agent
# sampling every packet) finds the sessions sampo-cli finds on
# mptcp-v0.pcap; with the exporter, other encodings are exported and
# checked on the fly (see check-sflow.sh).  Included from
# tests/golden/CMakeLists.txt; exit status 77 (no python3) is a skip.
if(TARGET sampo-cli)
  add_test(NAME golden.sflow.mptcp-v0
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/check-sflow.sh $<TARGET_FILE:sampo-cli>
                   ${PROJECT_SOURCE_DIR}/data/pcaps/mptcp-v0.pcap
                   ${PROJECT_SOURCE_DIR}/data/pcaps/sflow-mptcp-v0.pcap
                   ${PROJECT_SOURCE_DIR}/tools/sflow-export.py)
  set_tests_properties(golden.sflow.mptcp-v0 PROPERTIES LABELS "golden;sflow"
                       SKIP_RETURN_CODE 77)
endif()
