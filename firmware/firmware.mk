# Chip firmware: one ELF and one HEX per MCU, at stable paths:
#   build/firmware/<mcu>/extwd.elf  (carries simavr's .mmcu section)
#   build/firmware/<mcu>/extwd.hex  (what avrdude flashes)
# Each firmware/<mcu>/port.mk sets FW_FLAGS_<mcu> (F_CPU, WD_MCU_ID, WD_CAPS).

FW_MCUS     := attiny85 atmega328p
FW_CORE_SRC := $(wildcard firmware/core/*.c)
FW_HEADERS  := $(wildcard firmware/core/*.h firmware/common/*.h include/extwd/*.h)

AVR_CFLAGS  := -std=gnu11 -Os -g -Wall -Wextra -Werror -Wshadow \
               -Wstrict-prototypes -Wmissing-prototypes \
               -ffunction-sections -fdata-sections -fshort-enums -fno-common \
               -flto -Iinclude -Ifirmware/core -Ifirmware/common
AVR_LDFLAGS := -flto -Wl,--gc-sections \
               -Wl,--undefined=_mmcu,--section-start=.mmcu=0x910000 \
               -Wl,--undefined=_extwd_layout,--section-start=.extwd_layout=0x920000

-include $(wildcard firmware/*/port.mk)

FW_ELFS := $(foreach m,$(FW_MCUS),$(BUILD)/firmware/$(m)/extwd.elf)
FW_HEXS := $(FW_ELFS:.elf=.hex)

.PHONY: firmware
firmware: $(FW_ELFS) $(FW_HEXS)

define FW_RULES
$(BUILD)/firmware/$(1)/extwd.elf: $(FW_CORE_SRC) $(wildcard firmware/$(1)/*.c firmware/$(1)/*.h) \
                                  $(FW_HEADERS) firmware/$(1)/port.mk firmware/firmware.mk | deps
	@mkdir -p $$(@D)
	avr-gcc -mmcu=$(1) $$(FW_FLAGS_$(1)) $(AVR_CFLAGS) -o $$@ \
	  $(FW_CORE_SRC) $(wildcard firmware/$(1)/*.c) $(AVR_LDFLAGS)
	@avr-size -A $$@ | awk '/^\.text|^\.data|^\.bss|^\.noinit/ {printf "%s %s ", $$$$1, $$$$2} END {print ""}' | sed 's/^/  $(1): /'

$(BUILD)/firmware/$(1)/extwd.hex: $(BUILD)/firmware/$(1)/extwd.elf
	avr-objcopy -O ihex -j .text -j .data $$< $$@
endef
$(foreach m,$(FW_MCUS),$(eval $(call FW_RULES,$(m))))
