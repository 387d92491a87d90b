# Assembly, in the compilation database like any source.
        .text
        .globl  asm_nop
asm_nop:
        ret
