# Scenario 0, HVM: the same self-test as s0 (s0.sh branches on SCEN=s0h).
. /xt/dom0/s0.sh
