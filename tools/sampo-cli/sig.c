/*
 * sig.c - SIGINT/SIGTERM handling.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _POSIX_C_SOURCE 200809L
#include "sig.h"

#include <string.h>

#include "input.h"

volatile sig_atomic_t sig_stop;

static void on_signal(int signo)
{
    sig_stop = signo;
    input_interrupt(); /* wake a blocked live read */
}

void sig_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; /* no SA_RESTART: reads return EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
