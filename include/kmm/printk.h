/*
 * printk.h - the kernel log: a ring buffer of timestamped lines, readable as
 * dmesg, with an optional console that receives urgent lines at once.
 */
#ifndef KMM_PRINTK_H
#define KMM_PRINTK_H

#include <kmm/kernel.h>

#define LOG_BUF_SHIFT		17	/* 128 KiB, CONFIG_LOG_BUF_SHIFT's default */
#define DEFAULT_MESSAGE_LOGLEVEL 4	/* KERN_WARNING for lines without a level */
#define DEFAULT_CONSOLE_LOGLEVEL 4	/* as after "quiet": only KERN_ERR and worse */

extern int console_loglevel;		/* lines with level < this go to the console */

/* Where console lines go; NULL (the default) means nowhere. */
typedef void (*console_write_t)(const char *text, size_t len);
void register_console(console_write_t write);


/*
 * Copy the log, as dmesg prints it ("[    1.234567] text\n" per line), into
 * a buffer.  Returns the full length even when @size is smaller.
 */
size_t log_buf_read(char *buf, size_t size);
void log_buf_clear(void);
/* A cursor: the log position now, for "what was printed since". */
u64 log_buf_seq(void);
/* Copy what was logged since cursor @pos (as log_buf_read does). */
size_t log_buf_read_since(u64 pos, char *buf, size_t size);
/* Resize the ring (boot option log_buf_len=); drops nothing if it grows. */
int log_buf_set_len(size_t len);
/*
 * Hold the log still across the host's fork(), so that a child does not
 * inherit its lock held by a thread that does not exist there.
 */
void log_buf_lock(void);
void log_buf_unlock(void);

/* Rate limiting as printk_ratelimit(): at most 10 messages every 5 s of simulated time. */
bool printk_ratelimit(void);

#endif /* KMM_PRINTK_H */
