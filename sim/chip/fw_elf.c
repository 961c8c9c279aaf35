/*
 * Reading a firmware ELF for chipsim (fw_elf.h): the checks, the .mmcu tags,
 * the .extwd_layout section and the data symbols.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#include "fw_elf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmcu_tag.h" /* the tag numbers the firmware writes */

#define AVR_DATA_SPACE 0x800000u

void fw_errf(char *err, size_t len, const char *fmt, ...)
{
    if (!err || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

int fw_elf_read(struct fw_elf *out, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fw_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    int rc = -1;
    GElf_Ehdr eh;
    if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
        fw_errf(err, errlen, "%s: not an ELF file", path);
        goto out;
    }
    if (gelf_getclass(e) != ELFCLASS32 || eh.e_machine != EM_AVR) {
        fw_errf(err, errlen, "%s: not an AVR ELF (machine %u)", path, (unsigned)eh.e_machine);
        goto out;
    }
    size_t shstrndx;
    if (elf_getshdrstrndx(e, &shstrndx)) {
        fw_errf(err, errlen, "%s: damaged ELF (no section names)", path);
        goto out;
    }
    memset(out, 0, sizeof *out);
    char *mcu = out->mcu;
    size_t mcu_len = sizeof out->mcu;
    uint32_t *freq = &out->freq;
    int have_text = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        if (!name)
            continue;
        if (!strcmp(name, ".text") && sh.sh_size)
            have_text = 1;
        if (!strcmp(name, ".mmcu")) {
            Elf_Data *dd = elf_getdata(scn, NULL);
            const uint8_t *p = dd ? dd->d_buf : NULL;
            size_t n = dd ? dd->d_size : 0;
            for (size_t i = 0; p && i + 2 <= n;) {
                uint8_t tag = p[i], len = p[i + 1];
                if (tag == 0 || i + 2u + len > n)
                    break;
                if (tag == MMCU_TAG_NAME) {
                    size_t k = len < mcu_len - 1 ? len : mcu_len - 1;
                    memcpy(mcu, p + i + 2, k);
                    mcu[k] = 0;
                } else if (tag == MMCU_TAG_FREQUENCY && len >= 4) {
                    *freq = (uint32_t)p[i + 2] | (uint32_t)p[i + 3] << 8 |
                            (uint32_t)p[i + 4] << 16 | (uint32_t)p[i + 5] << 24;
                }
                i += 2u + len;
            }
        }
        if (!strcmp(name, ".extwd_layout")) {
            Elf_Data *dd = elf_getdata(scn, NULL);
            if (dd && dd->d_size >= sizeof out->layout)
                memcpy(&out->layout, dd->d_buf, sizeof out->layout);
        }
        if (sh.sh_type == SHT_SYMTAB && sh.sh_entsize) {
            Elf_Data *dd = elf_getdata(scn, NULL);
            size_t count = sh.sh_size / sh.sh_entsize;
            for (size_t i = 0; dd && i < count; i++) {
                GElf_Sym s;
                if (!gelf_getsym(dd, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_OBJECT)
                    continue;
                if (s.st_value < AVR_DATA_SPACE || s.st_value >= AVR_DATA_SPACE + 0x10000u)
                    continue;
                const char *sn = elf_strptr(e, sh.sh_link, s.st_name);
                if (!sn || strlen(sn) >= sizeof(out->syms[0].name))
                    continue;
                struct fw_sym *ns = realloc(out->syms, (size_t)(out->nsyms + 1) * sizeof(*ns));
                if (!ns)
                    continue;
                out->syms = ns;
                strcpy(ns[out->nsyms].name, sn);
                ns[out->nsyms].addr = (uint32_t)(s.st_value - AVR_DATA_SPACE);
                ns[out->nsyms].size = (uint32_t)s.st_size;
                out->nsyms++;
            }
        }
    }
    if (!have_text) {
        fw_errf(err, errlen, "%s: no code (.text) in the ELF", path);
        goto out;
    }
    if (!mcu[0]) {
        fw_errf(err, errlen, "%s: no .mmcu section naming the MCU", path);
        goto out;
    }
    if (!*freq) {
        fw_errf(err, errlen, "%s: .mmcu section gives no clock frequency", path);
        goto out;
    }
    rc = 0;
out:
    if (e)
        elf_end(e);
    close(fd);
    return rc;
}

const struct fw_sym *fw_elf_sym(const struct fw_elf *f, const char *name)
{
    for (int i = 0; i < f->nsyms; i++)
        if (!strcmp(f->syms[i].name, name))
            return &f->syms[i];
    return NULL;
}

void fw_elf_free(struct fw_elf *f)
{
    free(f->syms);
    f->syms = NULL;
    f->nsyms = 0;
}
