/*
 * sig.h - SIGINT/SIGTERM: stop reading, print the results, exit.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_SIG_H
#define SAMPO_CLI_SIG_H

#include <signal.h>

/* Signal number that asked to stop, 0 if none. */
extern volatile sig_atomic_t sig_stop;

/* Install the handlers (a second signal of the same kind kills). */
void sig_install(void);

#endif /* SAMPO_CLI_SIG_H */
