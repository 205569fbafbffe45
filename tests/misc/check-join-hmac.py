#!/usr/bin/python3
"""check-join-hmac.py: MP_JOIN HMACs of real kernel traffic verify.

  check-join-hmac.py SAMPO-CLI CAPTURE...

Runs sampo-cli on each capture (full handshakes: every join's SYN and SYN/ACK
and both keys of its connection are in it) and fails unless every join tied
by a known key's token had its SYN/ACK's truncated HMAC verified
(join_hmac_verified == token_joins > 0) and none failed (join_hmac_failed 0).
"""
import json
import subprocess
import sys


def main():
    cli, caps = sys.argv[1], sys.argv[2:]
    ok = True
    for cap in caps:
        r = subprocess.run([cli, "--no-progress", "--format", "json", cap], capture_output=True,
                           text=True)
        if r.returncode != 0:
            print("%s: sampo-cli failed (%d): %s" % (cap, r.returncode, r.stderr[-300:]))
            ok = False
            continue
        c = next(json.loads(line) for line in r.stdout.splitlines()
                 if line.startswith('{"type":"counters"'))
        good = (c["join_hmac_failed"] == 0 and c["token_joins"] > 0
                and c["join_hmac_verified"] == c["token_joins"])
        print("%s %s: token_joins %d, join_hmac_verified %d, join_hmac_failed %d, keys_learned %d"
              % ("ok  " if good else "FAIL", cap.rsplit("/", 1)[-1], c["token_joins"],
                 c["join_hmac_verified"], c["join_hmac_failed"], c["keys_learned"]))
        ok = ok and good
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
