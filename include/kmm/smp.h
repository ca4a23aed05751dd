/* smp.h - CPU identity and cross-CPU calls. */
#ifndef KMM_SMP_H
#define KMM_SMP_H

#include <kmm/irqflags.h>

/* Run @fn(@info) on every online CPU, this one included, and wait. */
void on_each_cpu(void (*fn)(void *info), void *info, int wait);
/* Run @fn(@info) on @cpu and wait. */
int smp_call_function_single(int cpu, void (*fn)(void *info), void *info, int wait);

#endif /* KMM_SMP_H */
