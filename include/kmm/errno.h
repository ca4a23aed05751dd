/* errno.h - the error numbers kmm returns, negated, as Linux does. */
#ifndef KMM_ERRNO_H
#define KMM_ERRNO_H

#define EPERM	 1
#define ENOENT	 2
#define ESRCH	 3
#define EINTR	 4
#define EIO	 5
#define ENXIO	 6
#define E2BIG	 7
#define ENOEXEC	 8
#define EBADF	 9
#define ECHILD	10
#define EAGAIN	11
#define ENOMEM	12
#define EACCES	13
#define EFAULT	14
#define EBUSY	16
#define EEXIST	17
#define ENODEV	19
#define ENOTDIR	20
#define EISDIR	21
#define EINVAL	22
#define ENFILE	23
#define EMFILE	24
#define ETXTBSY	26
#define EFBIG	27
#define ENOSPC	28
#define ESPIPE	29
#define EROFS	30
#define ERANGE	34
#define ENAMETOOLONG	36
#define ELOOP	40
#define EOVERFLOW	75
#define ENOSYS	38
#define ELIBBAD	80	/* exec: the program interpreter is not one */

#define MAX_ERRNO	4095

#endif /* KMM_ERRNO_H */
