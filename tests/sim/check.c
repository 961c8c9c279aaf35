/*
 * Output checkers for extwd-sim's tests.
 *
 * Part of extwd-sim's tests (GPL-3.0-or-later with the rest of extwd-sim).
 */
#include "check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cur {
    const char *s;
    size_t n, i;
    char *why;
    size_t whylen;
    int depth;
};

static int bad(struct cur *c, const char *what)
{
    snprintf(c->why, c->whylen, "%s at byte %zu", what, c->i);
    return -1;
}

static int peek(const struct cur *c)
{
    return c->i < c->n ? (unsigned char)c->s[c->i] : -1;
}

static void ws(struct cur *c)
{
    while (c->i < c->n && isspace((unsigned char)c->s[c->i]))
        c->i++;
}

/* ---- JSON ---------------------------------------------------------------------- */

static int j_value(struct cur *c);

static int j_string(struct cur *c)
{
    c->i++; /* the quote */
    while (c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i++];
        if (ch == '"')
            return 0;
        if (ch < 0x20)
            return bad(c, "control character in a string");
        if (ch == '\\') {
            int e = peek(c);
            c->i++;
            if (e == 'u') {
                for (int k = 0; k < 4; k++, c->i++)
                    if (!isxdigit(peek(c)))
                        return bad(c, "bad \\u escape");
            } else if (!e || !strchr("\"\\/bfnrt", e)) {
                return bad(c, "bad escape");
            }
        }
    }
    return bad(c, "unterminated string");
}

static int j_number(struct cur *c)
{
    size_t start = c->i;
    if (peek(c) == '-')
        c->i++;
    if (peek(c) == '0') {
        c->i++;
    } else if (isdigit(peek(c))) {
        while (isdigit(peek(c)))
            c->i++;
    } else {
        return bad(c, "bad number");
    }
    if (peek(c) == '.') {
        c->i++;
        if (!isdigit(peek(c)))
            return bad(c, "bad fraction");
        while (isdigit(peek(c)))
            c->i++;
    }
    if (peek(c) == 'e' || peek(c) == 'E') {
        c->i++;
        if (peek(c) == '+' || peek(c) == '-')
            c->i++;
        if (!isdigit(peek(c)))
            return bad(c, "bad exponent");
        while (isdigit(peek(c)))
            c->i++;
    }
    return c->i > start ? 0 : bad(c, "bad number");
}

static int j_word(struct cur *c, const char *w)
{
    size_t k = strlen(w);
    if (c->n - c->i < k || memcmp(c->s + c->i, w, k))
        return bad(c, "unexpected token");
    c->i += k;
    return 0;
}

static int j_value(struct cur *c)
{
    if (++c->depth > 64)
        return bad(c, "nesting too deep");
    ws(c);
    int ch = peek(c), r;
    if (ch == '{' || ch == '[') {
        int close = ch == '{' ? '}' : ']';
        c->i++;
        ws(c);
        if (peek(c) == close) {
            c->i++;
            r = 0;
        } else {
            for (;;) {
                ws(c);
                if (ch == '{') {
                    if (peek(c) != '"')
                        return bad(c, "object key is not a string");
                    if (j_string(c))
                        return -1;
                    ws(c);
                    if (peek(c) != ':')
                        return bad(c, "missing ':'");
                    c->i++;
                }
                if (j_value(c))
                    return -1;
                ws(c);
                if (peek(c) == ',') {
                    c->i++;
                    continue;
                }
                if (peek(c) == close) {
                    c->i++;
                    break;
                }
                return bad(c, "missing ',' or closing bracket");
            }
            r = 0;
        }
    } else if (ch == '"') {
        r = j_string(c);
    } else if (ch == 't') {
        r = j_word(c, "true");
    } else if (ch == 'f') {
        r = j_word(c, "false");
    } else if (ch == 'n') {
        r = j_word(c, "null");
    } else {
        r = j_number(c);
    }
    c->depth--;
    return r;
}

int check_json(const char *s, size_t n, char *why, size_t whylen)
{
    struct cur c = { s, n, 0, why, whylen, 0 };
    if (j_value(&c))
        return -1;
    ws(&c);
    return c.i == n ? 0 : bad(&c, "trailing bytes");
}

/* ---- XML ---------------------------------------------------------------------------- */

static int x_name(struct cur *c, char *out, size_t outlen)
{
    size_t k = 0;
    if (!(isalpha(peek(c)) || peek(c) == '_'))
        return bad(c, "bad name");
    while (isalnum(peek(c)) || peek(c) == '_' || peek(c) == '-' || peek(c) == ':' || peek(c) == '.') {
        if (k + 1 < outlen)
            out[k++] = c->s[c->i];
        c->i++;
    }
    out[k] = '\0';
    return 0;
}

static int x_entity(struct cur *c)
{
    static const char *const ents[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;" };
    for (size_t k = 0; k < 5; k++)
        if (c->n - c->i >= strlen(ents[k]) && !memcmp(c->s + c->i, ents[k], strlen(ents[k]))) {
            c->i += strlen(ents[k]);
            return 0;
        }
    if (c->n - c->i > 3 && c->s[c->i + 1] == '#') {
        size_t j = c->i + 2;
        while (j < c->n && isalnum((unsigned char)c->s[j]))
            j++;
        if (j < c->n && c->s[j] == ';' && j > c->i + 2) {
            c->i = j + 1;
            return 0;
        }
    }
    return bad(c, "bad entity");
}

int check_xml(const char *s, size_t n, char *why, size_t whylen)
{
    struct cur c = { s, n, 0, why, whylen, 0 };
    char stack[32][32];
    int depth = 0, roots = 0;
    while (c.i < n) {
        int ch = peek(&c);
        if (ch == '<') {
            if (n - c.i >= 4 && !memcmp(s + c.i, "<!--", 4)) {
                const char *e = strstr(s + c.i, "-->");
                if (!e)
                    return bad(&c, "unterminated comment");
                c.i = (size_t)(e - s) + 3;
                continue;
            }
            if (n - c.i >= 2 && s[c.i + 1] == '?') {
                const char *e = strstr(s + c.i, "?>");
                if (!e || c.i != 0)
                    return bad(&c, "bad processing instruction");
                c.i = (size_t)(e - s) + 2;
                continue;
            }
            c.i++;
            int closing = peek(&c) == '/';
            if (closing)
                c.i++;
            char name[32];
            if (x_name(&c, name, sizeof name))
                return -1;
            if (closing) {
                ws(&c);
                if (peek(&c) != '>')
                    return bad(&c, "bad closing tag");
                c.i++;
                if (!depth || strcmp(stack[depth - 1], name))
                    return bad(&c, "mismatched closing tag");
                depth--;
                continue;
            }
            for (;;) {
                ws(&c);
                if (peek(&c) == '>' || peek(&c) == '/')
                    break;
                char attr[32];
                if (x_name(&c, attr, sizeof attr))
                    return -1;
                ws(&c);
                if (peek(&c) != '=')
                    return bad(&c, "attribute without value");
                c.i++;
                ws(&c);
                int q = peek(&c);
                if (q != '"' && q != '\'')
                    return bad(&c, "unquoted attribute");
                c.i++;
                while (c.i < n && peek(&c) != q) {
                    if (peek(&c) == '<')
                        return bad(&c, "'<' in an attribute");
                    if (peek(&c) == '&') {
                        if (x_entity(&c))
                            return -1;
                    } else {
                        c.i++;
                    }
                }
                if (c.i >= n)
                    return bad(&c, "unterminated attribute");
                c.i++;
            }
            int self = peek(&c) == '/';
            if (self) {
                c.i++;
                if (peek(&c) != '>')
                    return bad(&c, "bad self-closing tag");
            }
            c.i++;
            if (!depth)
                roots++;
            if (roots > 1)
                return bad(&c, "more than one root element");
            if (!self) {
                if (depth == 32)
                    return bad(&c, "nesting too deep");
                snprintf(stack[depth++], sizeof stack[0], "%s", name);
            }
        } else if (ch == '&') {
            if (x_entity(&c))
                return -1;
        } else {
            if (!depth && !isspace(ch))
                return bad(&c, "text outside the root element");
            c.i++;
        }
    }
    if (depth)
        return bad(&c, "unclosed element");
    if (!roots)
        return bad(&c, "no root element");
    return 0;
}

/* ---- VCD ------------------------------------------------------------------------------ */

int check_vcd(const char *s, size_t n, char *why, size_t whylen)
{
    struct cur c = { s, n, 0, why, whylen, 0 };
    const char *defs_end = strstr(s, "$enddefinitions $end");
    if (!defs_end)
        return bad(&c, "no $enddefinitions");
    if (!strstr(s, "$timescale"))
        return bad(&c, "no $timescale");
    char ids[64];
    int widths[64], nids = 0;
    for (const char *p = strstr(s, "$var "); p && p < defs_end; p = strstr(p + 1, "$var ")) {
        char type[16], id[8], name[64];
        int width;
        if (sscanf(p, "$var %15s %d %7s %63s $end", type, &width, id, name) != 4 || strlen(id) != 1 ||
            nids == 64 || width < 1 || width > 64)
            return bad(&c, "bad $var");
        ids[nids] = id[0];
        widths[nids++] = width;
    }
    if (!nids)
        return bad(&c, "no variables");
    c.i = (size_t)(defs_end - s) + strlen("$enddefinitions $end");
    long long last = -1;
    int timed = 0;
    while (c.i < n) {
        ws(&c);
        if (c.i >= n)
            break;
        const char *line = s + c.i;
        const char *eol = memchr(line, '\n', n - c.i);
        size_t len = eol ? (size_t)(eol - line) : n - c.i;
        c.i += len;
        char buf[80];
        if (len >= sizeof buf)
            return bad(&c, "line too long");
        memcpy(buf, line, len);
        buf[len] = '\0';
        if (buf[0] == '#') {
            char *end;
            long long t = strtoll(buf + 1, &end, 10);
            if (*end || t < 0 || end == buf + 1)
                return bad(&c, "bad timestamp");
            if (t < last)
                return bad(&c, "time goes backwards");
            if (t == last)
                return bad(&c, "repeated timestamp");
            last = t;
            timed = 1;
            continue;
        }
        if (!timed)
            return bad(&c, "value change before any timestamp");
        char id;
        int width;
        if ((buf[0] == '0' || buf[0] == '1') && len == 2) {
            id = buf[1];
            width = 1;
        } else if (buf[0] == 'b') {
            char *sp = strchr(buf, ' ');
            if (!sp || sp[2] || sp == buf + 1)
                return bad(&c, "bad vector change");
            for (char *q = buf + 1; q < sp; q++)
                if (*q != '0' && *q != '1')
                    return bad(&c, "bad vector digit");
            id = sp[1];
            width = (int)(sp - buf - 1);
        } else {
            return bad(&c, "unknown line");
        }
        int k = 0;
        while (k < nids && ids[k] != id)
            k++;
        if (k == nids)
            return bad(&c, "undeclared identifier");
        if (width > widths[k] || (widths[k] == 1 && buf[0] == 'b'))
            return bad(&c, "value wider than its variable");
    }
    return timed ? 0 : bad(&c, "no timestamps");
}
