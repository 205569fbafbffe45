#!/usr/bin/python3
"""run-unittest.py NAME...: run Python unittest tests as CTest should count them.

    run-unittest.py test_sampo.TestApi          # from the test module's directory

Loads NAME... (modules, classes or methods, as `python3 -m unittest NAME...`) from the working
directory, runs them verbosely and exits with

  0   every test ran and passed;
  1   a test failed or errored, an expected failure passed, or no test ran at all;
  77  none failed, but at least one was skipped (unittest.skip*, self.skipTest): each is listed
      with its reason. CTest reports the test as skipped with SKIP_RETURN_CODE 77, never as
      passed, and scripts/run-tests.sh fails when a test CI is meant to run was skipped.

Standard library only.
"""

import os
import sys
import unittest

SKIP = 77


def main(argv):
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sys.path.insert(0, os.getcwd())
    suite = unittest.defaultTestLoader.loadTestsFromNames(argv)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    if not result.wasSuccessful():
        return 1
    if result.testsRun == 0:
        print("run-unittest: no test ran")
        return 1
    if result.skipped:
        print("run-unittest: SKIPPED %d of %d test(s):" % (len(result.skipped), result.testsRun))
        for test, reason in result.skipped:
            print("  %s: %s" % (test.id(), reason))
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
