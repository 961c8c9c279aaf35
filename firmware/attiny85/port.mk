# ATtiny85: 8 MHz internal RC (fuses in firmware/attiny85/port.c, see firmware/README.md).
FW_FLAGS_attiny85 := -DF_CPU=8000000UL -DWD_MCU_ID=1 -DWD_CAL_HOST=0
# Code-size flags (measured, firmware/README.md): X as a plain pointer
# register, and no hoisting of loop invariants into scarce registers.
FW_FLAGS_attiny85 += -mstrict-X -fno-move-loop-invariants -fno-gcse
# Measured (issue 11): these GCC passes make this code bigger here (-22 bytes
# together, -fno-tree-tail-merge 4 more; -fno-tree-pre would save as much but
# slowed the START path by 3 us).
FW_FLAGS_attiny85 += -fno-tree-loop-ivcanon -fno-tree-vrp -fno-tree-tail-merge
# Own vector table and start-up, no C runtime (firmware/attiny85/port.c).
FW_FLAGS_attiny85 += -nostartfiles
