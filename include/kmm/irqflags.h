/* irqflags.h - local interrupt control, per simulated CPU (see hw/cpu.h). */
#ifndef KMM_IRQFLAGS_H
#define KMM_IRQFLAGS_H

#include <kmm/asm/irqflags.h>

#define local_irq_save(flags)	do { (flags) = hw_irq_save(); } while (0)
#define local_irq_restore(flags) hw_irq_restore(flags)
#define local_irq_disable()	((void)hw_irq_save())
#define local_irq_enable()	hw_irq_restore(0)
#define irqs_disabled()		hw_irqs_disabled()

#endif /* KMM_IRQFLAGS_H */
