// fiber_switch.S — the context switch between goroutines.
//
// goro_fiber_switch(void** save_sp, void* load_sp): pushes the callee-saved
// registers and the floating-point control state of the running context,
// stores its stack pointer to *save_sp, loads load_sp and pops the other
// context's registers. Everything else (caller-saved registers) is already
// saved by the C++ caller, as for any call.
//
// A new context is laid out by fiber_make_context() (fiber.cpp) so that its
// first switch "returns" into goro_fiber_start, which calls entry(arg) with
// entry and arg taken from two callee-saved registers. The frame pointer of
// that first frame is 0, so frame-pointer stack walks stop there.

#if defined(__x86_64__)

        .text
        .globl  goro_fiber_switch
        .type   goro_fiber_switch,@function
        .p2align 4
goro_fiber_switch:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   goro_fiber_switch, .-goro_fiber_switch

        .globl  goro_fiber_start
        .type   goro_fiber_start,@function
        .p2align 4
goro_fiber_start:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r13, %rdi
        callq   *%r12
        ud2
        .cfi_endproc
        .size   goro_fiber_start, .-goro_fiber_start

#elif defined(__aarch64__)

        .text
        .globl  goro_fiber_switch
        .type   goro_fiber_switch,%function
        .p2align 4
goro_fiber_switch:
        .cfi_startproc
        sub     sp, sp, #176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8, d9, [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mrs     x9, fpcr
        str     x9, [sp, #160]
        mov     x9, sp
        str     x9, [x0]
        mov     sp, x1
        ldr     x9, [sp, #160]
        msr     fpcr, x9
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8, d9, [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        add     sp, sp, #176
        ret
        .cfi_endproc
        .size   goro_fiber_switch, .-goro_fiber_switch

        .globl  goro_fiber_start
        .type   goro_fiber_start,%function
        .p2align 4
goro_fiber_start:
        .cfi_startproc
        .cfi_undefined x30
        mov     x0, x20
        blr     x19
        brk     #0
        .cfi_endproc
        .size   goro_fiber_start, .-goro_fiber_start

#else
#error "goro: no context switch for this architecture (x86_64 and aarch64 are supported)"
#endif

        .section .note.GNU-stack,"",%progbits
