# ATmega328P: 8 MHz internal RC (fuses in firmware/atmega328p/port.c, see firmware/README.md).
FW_FLAGS_atmega328p := -DF_CPU=8000000UL -DWD_MCU_ID=2
FW_FLAGS_atmega328p += -mstrict-X -fno-move-loop-invariants
