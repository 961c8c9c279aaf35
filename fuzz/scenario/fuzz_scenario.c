/*
 * libFuzzer target: the extwd-sim scenario parser. Any bytes must either
 * parse or be refused with a "file:line: message" error; a parsed scenario
 * must keep its invariants (counts in range, events sorted and inside the
 * run, every expectation named).
 *
 * Part of extwd-sim's tests (GPL-3.0-or-later with the rest of extwd-sim).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct scenario sc;
    char err[256];
    err[0] = 'x';
    int r = scenario_parse(&sc, (const char *)data, size, "fuzz.scn", err, sizeof err);
    if (r != 0) {
        if (r != -1 || strncmp(err, "fuzz.scn:", 9) || !memchr(err, '\0', sizeof err))
            abort();
        return 0;
    }
    if (sc.nevents < 0 || sc.nevents > SC_MAX_EVENTS || sc.nexpects < 0 || sc.nexpects > SC_MAX_EXPECTS ||
        sc.nconfig < 0 || sc.nconfig > SC_MAX_CONFIG || !sc.mcus || sc.duration_ms < 100 ||
        sc.duration_ms > SC_MAX_MS)
        abort();
    for (int i = 0; i < sc.nevents; i++) {
        if (sc.events[i].t_ms >= sc.duration_ms || sc.events[i].kind >= SC_EV_COUNT ||
            sc.events[i].nbytes > SC_MAX_BYTES)
            abort();
        if (i && sc.events[i].t_ms < sc.events[i - 1].t_ms)
            abort();
    }
    for (int i = 0; i < sc.nexpects; i++)
        if (!memchr(sc.expects[i].text, '\0', sizeof sc.expects[i].text) || !sc.expects[i].text[0] ||
            sc.expects[i].nbytes > SC_MAX_BYTES)
            abort();
    return 0;
}
