/* seq_file.h - building the text of a /proc file. */
#ifndef KMM_SEQ_FILE_H
#define KMM_SEQ_FILE_H

#include <kmm/compiler.h>
#include <kmm/types.h>

struct seq_file {
	char *buf;
	size_t size;		/* allocated */
	size_t count;		/* used */
	bool overflow;		/* an allocation failed: the text is incomplete */
};

void seq_init(struct seq_file *m);
void seq_release(struct seq_file *m);
int seq_printf(struct seq_file *m, const char *fmt, ...) __printf(2, 3);
int seq_puts(struct seq_file *m, const char *s);
int seq_putc(struct seq_file *m, char c);
/* @nbits bits of @bits in 32-bit hex chunks, "00000000,0000000f" (bitmap_scnprintf). */
void seq_bitmap(struct seq_file *m, const unsigned long *bits, int nbits);
/* The same bits as ranges, "0-3,6" (bitmap_scnlistprintf). */
void seq_bitmap_list(struct seq_file *m, const unsigned long *bits, int nbits);

#endif /* KMM_SEQ_FILE_H */
