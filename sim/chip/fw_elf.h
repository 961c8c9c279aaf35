/*
 * A firmware ELF as chipsim needs it (fw_elf.c): that it is an AVR ELF with
 * code, the MCU and clock from its .mmcu tags, where its struct wd_core keeps
 * the fields of the chip view (.extwd_layout), and its data symbols.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_FW_ELF_H
#define EXTWD_SIM_FW_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "core_layout.h"

struct fw_sym {
    char name[32];
    uint32_t addr;  /* data space */
    uint32_t size;
};

struct fw_elf {
    char mcu[16];                   /* from .mmcu */
    uint32_t freq;                  /* F_CPU from .mmcu */
    struct wd_core_layout layout;   /* from .extwd_layout; version 0 = the ELF has none */
    struct fw_sym *syms;            /* data objects (malloc'd; fw_elf_free) */
    int nsyms;
};

/* Reads the ELF at path into *out. On failure writes one line naming the
 * file to err (cannot open, not an ELF, not AVR, no code, no .mmcu, no
 * clock) and returns -1; returns 0 on success. */
int fw_elf_read(struct fw_elf *out, const char *path, char *err, size_t errlen);

/* Returns the data symbol called name, or NULL. */
const struct fw_sym *fw_elf_sym(const struct fw_elf *f, const char *name);

/* Writes a formatted one-line error to err (if err and len). Used for
 * every chipsim error message. */
void fw_errf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Frees what fw_elf_read allocated. */
void fw_elf_free(struct fw_elf *f);

#endif /* EXTWD_SIM_FW_ELF_H */
