/* wrap.c — fault injection for the `make faults` build.
 *
 * The fault build links w2v with -Wl,--wrap=<fn> for every allocation and
 * I/O call below, so each call made by w2v's own code lands here first.
 * Environment:
 *   W2V_FAULT_ALLOC=N   the N-th allocation returns NULL (ENOMEM)
 *   W2V_FAULT_IO=N      the N-th I/O call fails (EIO; ENOSPC for writes)
 *   W2V_FAULT_COUNTS=F  at exit, write "allocs N\nio N\n" to F
 * A counter is process-wide and atomic, so it also works with threads,
 * though only one-thread runs are deterministic enough to sweep. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
int __real_posix_memalign(void **p, size_t align, size_t size);
FILE *__real_fopen(const char *path, const char *mode);
size_t __real_fread(void *buf, size_t size, size_t n, FILE *fp);
size_t __real_fwrite(const void *buf, size_t size, size_t n, FILE *fp);
int __real_fclose(FILE *fp);
int __real_fflush(FILE *fp);
int __real_open(const char *path, int flags, ...);
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_rename(const char *from, const char *to);

/* Prototypes for -Wmissing-prototypes; the linker finds these by name. */
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
FILE *__wrap_fopen(const char *path, const char *mode);
size_t __wrap_fread(void *buf, size_t size, size_t n, FILE *fp);
size_t __wrap_fwrite(const void *buf, size_t size, size_t n, FILE *fp);
int __wrap_fclose(FILE *fp);
int __wrap_fflush(FILE *fp);
int __wrap_open(const char *path, int flags, ...);
ssize_t __wrap_read(int fd, void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_rename(const char *from, const char *to);

static atomic_long alloc_calls, io_calls;
static long alloc_fail_at = -1, io_fail_at = -1;
static atomic_int configured;

static void write_counts(void)
{
    const char *path = getenv("W2V_FAULT_COUNTS");
    if (!path)
        return;
    FILE *fp = __real_fopen(path, "w");
    if (!fp)
        return;
    fprintf(fp, "allocs %ld\nio %ld\n", (long)alloc_calls, (long)io_calls);
    __real_fclose(fp);
}

static void configure(void)
{
    if (atomic_exchange(&configured, 1))
        return;
    const char *a = getenv("W2V_FAULT_ALLOC");
    const char *i = getenv("W2V_FAULT_IO");
    if (a)
        alloc_fail_at = strtol(a, NULL, 10);
    if (i)
        io_fail_at = strtol(i, NULL, 10);
    atexit(write_counts);
}

static int alloc_fails(void)
{
    configure();
    return atomic_fetch_add(&alloc_calls, 1) + 1 == alloc_fail_at;
}

static int io_fails(int err)
{
    configure();
    if (atomic_fetch_add(&io_calls, 1) + 1 == io_fail_at) {
        errno = err;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t size)
{
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_realloc(p, size);
}

int __wrap_posix_memalign(void **p, size_t align, size_t size)
{
    if (alloc_fails())
        return ENOMEM;
    return __real_posix_memalign(p, align, size);
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
    return io_fails(EIO) ? NULL : __real_fopen(path, mode);
}

size_t __wrap_fread(void *buf, size_t size, size_t n, FILE *fp)
{
    return io_fails(EIO) ? 0 : __real_fread(buf, size, n, fp);
}

size_t __wrap_fwrite(const void *buf, size_t size, size_t n, FILE *fp)
{
    return io_fails(ENOSPC) ? 0 : __real_fwrite(buf, size, n, fp);
}

int __wrap_fclose(FILE *fp)
{
    if (io_fails(EIO)) {
        __real_fclose(fp); /* the stream is gone either way, as with a real failure */
        return EOF;
    }
    return __real_fclose(fp);
}

int __wrap_fflush(FILE *fp)
{
    return io_fails(ENOSPC) ? EOF : __real_fflush(fp);
}

int __wrap_open(const char *path, int flags, ...)
{
    if (io_fails(EIO))
        return -1;
    return __real_open(path, flags, 0666);
}

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
    return io_fails(EIO) ? -1 : __real_read(fd, buf, n);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    return io_fails(ENOSPC) ? -1 : __real_write(fd, buf, n);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (io_fails(ENOMEM))
        return MAP_FAILED;
    return __real_mmap(addr, len, prot, flags, fd, off);
}

int __wrap_rename(const char *from, const char *to)
{
    return io_fails(EIO) ? -1 : __real_rename(from, to);
}
