/*
 * The scenario language's lexer (lexer.c): one line split into words, the
 * values the words spell, and the file:line error. Used by the grammar
 * (scenario.c) only.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_LEXER_H
#define EXTWD_SIM_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

#define MAX_TOKENS 24
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* One scenario file being read, and its current line. */
struct parser {
    struct scenario *sc;
    const char *fname;
    int line;
    char *err;
    size_t errlen;
    char buf[SC_MAX_LINE + 1];
    char raw[SC_MAX_LINE + 1];  /* the line before tokenising, for free text */
    char *tok[MAX_TOKENS];
    size_t tok_off[MAX_TOKENS]; /* offset of each token in raw */
    int ntok;
};

/* Writes "file:line: message" to p->err. Returns -1, for `return lex_fail(...)`. */
int lex_fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Splits p->buf into p->tok in place. Returns 0, or -1 (too many words). */
int lex_tokenize(struct parser *p);

/* Returns word i, or NULL past the last one. */
const char *lex_tok(struct parser *p, int i);

/* The raw text of the line from word i to its end, trimmed. Returns it ("" past the end). */
const char *lex_rest_of_line(struct parser *p, int i);

/* Wants exactly n words, else fails with the usage. Returns 0 or -1. */
int lex_need(struct parser *p, int n, const char *usage);

/* The value parsers: each returns 0 and fills *out, or -1 (nothing written).
 * Unsigned integers (decimal, 0x hex) up to max; a duration with unit ms
 * (the default), s, min or h, rounded to the ms; a plain number, fraction or
 * percentage ("1%" = 0.01); one hex byte (optional 0x); on|yes|1 / off|no|0. */
int parse_u64(const char *s, uint64_t *out, uint64_t max);
int parse_u32(const char *s, uint32_t *out, uint32_t max);
int parse_ms(const char *s, uint64_t *out);
int parse_ms32(const char *s, uint32_t *out);
int parse_real(const char *s, double *out);
int parse_hex_byte(const char *s, uint8_t *out);
int parse_onoff(const char *s, uint8_t *out);

/* A non-negative decimal with an optional fraction. Returns the end (the
 * unit, if any), or NULL if s is missing or does not start with one. */
const char *scan_decimal(const char *s, double *out);

#endif /* EXTWD_SIM_LEXER_H */
