/*
 * check_output json|svg|vcd FILE: validates an extwd-sim output file (used
 * by the ctest scripts on real runs). Exit 0 valid, 1 invalid, 2 bad usage.
 *
 * Part of extwd-sim's tests (GPL-3.0-or-later with the rest of extwd-sim).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: check_output json|svg|vcd FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        fprintf(stderr, "check_output: %s: cannot open\n", argv[2]);
        return 2;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "check_output: out of memory\n");
        return 2;
    }
    buf[n] = '\0';
    char why[160] = "";
    int r;
    if (!strcmp(argv[1], "json"))
        r = check_json(buf, n, why, sizeof why);
    else if (!strcmp(argv[1], "svg"))
        r = check_xml(buf, n, why, sizeof why);
    else if (!strcmp(argv[1], "vcd"))
        r = check_vcd(buf, n, why, sizeof why);
    else {
        free(buf);
        fprintf(stderr, "check_output: unknown kind '%s'\n", argv[1]);
        return 2;
    }
    free(buf);
    if (r) {
        fprintf(stderr, "check_output: %s: %s\n", argv[2], why);
        return 1;
    }
    printf("%s: valid %s (%zu bytes)\n", argv[2], argv[1], n);
    return 0;
}
