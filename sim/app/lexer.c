/*
 * The scenario language's lexer: a line split into words, the numbers,
 * durations, bytes and switches they spell, and errors as file:line.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include "lexer.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lex_fail(struct parser *p, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "%s:%d: %s", p->fname, p->line, msg);
    return -1;
}

/* ---- numbers -------------------------------------------------------------------- */

int parse_u64(const char *s, uint64_t *out, uint64_t max)
{
    if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

int parse_u32(const char *s, uint32_t *out, uint32_t max)
{
    uint64_t v;
    if (parse_u64(s, &v, max))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A non-negative decimal with an optional fraction; returns the end (the
 * unit, if any), or NULL if s is missing or does not start with one. */
const char *scan_decimal(const char *s, double *out)
{
    if (!s)
        return NULL;
    const char *p = s;
    double v = 0;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (*p - '0');
        p++;
        if (++digits > 15)
            return NULL;
    }
    if (*p == '.') {
        double scale = 0.1;
        p++;
        int fd = 0;
        while (isdigit((unsigned char)*p)) {
            v += (*p - '0') * scale;
            scale /= 10;
            p++;
            if (++fd > 9)
                return NULL;
        }
        digits += fd;
    }
    if (!digits)
        return NULL;
    *out = v;
    return p;
}

/* A duration: a number with unit ms (the default), s, min or h. Fills
 * milliseconds, rounded to the nearest ms. */
int parse_ms(const char *s, uint64_t *out)
{
    double v;
    const char *p = scan_decimal(s, &v);
    if (!p)
        return -1;
    double mult;
    if (!*p || !strcmp(p, "ms"))
        mult = 1;
    else if (!strcmp(p, "s"))
        mult = 1000;
    else if (!strcmp(p, "min"))
        mult = 60000;
    else if (!strcmp(p, "h"))
        mult = 3600000;
    else
        return -1;
    double ms = v * mult;
    if (ms > (double)SC_MAX_MS)
        return -1;
    *out = (uint64_t)(ms + 0.5);
    return 0;
}

int parse_ms32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (parse_ms(s, &v) || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A plain number, a fraction, or a percentage ("1%" = 0.01). */
int parse_real(const char *s, double *out)
{
    double v;
    const char *p = scan_decimal(s, &v);
    if (!p)
        return -1;
    if (*p == '%' && !p[1])
        v /= 100;
    else if (*p)
        return -1;
    *out = v;
    return 0;
}

int parse_hex_byte(const char *s, uint8_t *out)
{
    if (!s)
        return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    size_t n = strlen(s);
    if (n < 1 || n > 2)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (!isxdigit(c))
            return -1;
        v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
    }
    *out = (uint8_t)v;
    return 0;
}

int parse_onoff(const char *s, uint8_t *out)
{
    if (!s)
        return -1;
    if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* ---- lines ------------------------------------------------------------------------ */

int lex_tokenize(struct parser *p)
{
    p->ntok = 0;
    char *s = p->buf;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        if (p->ntok == MAX_TOKENS)
            return lex_fail(p, "too many words on one line (at most %d)", MAX_TOKENS);
        p->tok_off[p->ntok] = (size_t)(s - p->buf);
        p->tok[p->ntok++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (*s)
            *s++ = '\0';
    }
    return 0;
}

/* The raw text of the line from token i to its end, trimmed. */
const char *lex_rest_of_line(struct parser *p, int i)
{
    if (i >= p->ntok)
        return "";
    char *s = p->raw + p->tok_off[i];
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

const char *lex_tok(struct parser *p, int i)
{
    return i < p->ntok ? p->tok[i] : NULL;
}

int lex_need(struct parser *p, int n, const char *usage)
{
    if (p->ntok < n)
        return lex_fail(p, "missing argument; usage: %s", usage);
    if (p->ntok > n)
        return lex_fail(p, "unexpected '%s'; usage: %s", p->tok[n], usage);
    return 0;
}
