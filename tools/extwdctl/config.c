/*
 * extwdctl's configuration file (--config, e.g. /etc/extwd.conf): one long
 * option per line, without its dashes, as `name value`, `name = value` or a
 * bare `name` for a flag; '#' starts a comment line. The lines become
 * command-line options placed before the real ones, so the command line
 * wins. SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX 16384

int ctl_read_file(const char *path, char *buf, size_t size, size_t *len, int private_only,
                  char *err, size_t errlen)
{
    /* Non-blocking, so a FIFO or a device node is refused instead of hanging
     * the daemon (and the host with it) on open or read. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    if (private_only && (sb.st_mode & 077)) {
        close(fd);
        snprintf(err, errlen, "%s: readable by others (mode %04o); chmod 600 it", path,
                 (unsigned)(sb.st_mode & 07777));
        return -1;
    }
    *len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + *len, size - *len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        *len += (size_t)r;
        if (*len == size) {
            close(fd);
            snprintf(err, errlen, "%s: larger than %zu bytes", path, size - 1);
            return -1;
        }
    }
    close(fd);
    return 0;
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Appends "--name" and, if there is one, the value. */
static int add_line(struct ctl_config *cf, const char *name, size_t nlen, const char *value,
                    char *err, size_t errlen, const char *path, unsigned line)
{
    if (cf->argc + 2 >= CTL_CONFIG_MAX_ARGS) {
        snprintf(err, errlen, "%s:%u: too many settings", path, line);
        return -1;
    }
    char *opt = malloc(nlen + 3);
    if (!opt) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    memcpy(opt, "--", 2);
    memcpy(opt + 2, name, nlen);
    opt[nlen + 2] = '\0';
    cf->argv[cf->argc++] = opt;
    if (value) {
        char *v = strdup(value);
        if (!v) {
            snprintf(err, errlen, "%s: out of memory", path);
            return -1;
        }
        cf->argv[cf->argc++] = v;
    }
    return 0;
}

int ctl_config_read(struct ctl_config *cf, const char *path, char *err, size_t errlen)
{
    static char text[CONFIG_MAX + 1];
    size_t len;
    memset(cf, 0, sizeof *cf);
    if (ctl_read_file(path, text, sizeof text, &len, 0, err, errlen))
        return -1;
    if (memchr(text, '\0', len)) {
        snprintf(err, errlen, "%s: a NUL byte: not a text file", path);
        return -1;
    }
    text[len] = '\0';
    unsigned line = 0;
    for (char *l = text, *next; l && *l; l = next) {
        line++;
        next = strchr(l, '\n');
        if (next)
            *next++ = '\0';
        while (is_space(*l))
            l++;
        size_t n = strlen(l);
        while (n && is_space(l[n - 1]))
            l[--n] = '\0';
        if (!*l || *l == '#')
            continue;
        size_t nlen = 0;
        while (l[nlen] && !is_space(l[nlen]) && l[nlen] != '=')
            nlen++;
        if (nlen == 0 || l[0] == '-') {
            snprintf(err, errlen, "%s:%u: expected NAME [= VALUE], the name without its dashes", path, line);
            ctl_config_free(cf);
            return -1;
        }
        char *v = l + nlen;
        while (is_space(*v))
            v++;
        if (*v == '=') {
            v++;
            while (is_space(*v))
                v++;
            if (!*v) {
                snprintf(err, errlen, "%s:%u: %.*s = needs a value", path, line, (int)nlen, l);
                ctl_config_free(cf);
                return -1;
            }
        }
        if (add_line(cf, l, nlen, *v ? v : NULL, err, errlen, path, line)) {
            ctl_config_free(cf);
            return -1;
        }
    }
    return 0;
}

void ctl_config_free(struct ctl_config *cf)
{
    for (int i = 0; i < cf->argc; i++)
        free(cf->argv[i]);
    cf->argc = 0;
}
