/*
 * zstd_deps.h for pvmon: what libzstd needs of a C library, given without
 * one.  libzstd's own lib/common/zstd_deps.h says it exists to be replaced
 * by a file like this one "to compile zstd without libc support"; the
 * build (tools/codec-libraries.mk) copies Debian's libzstd sources into
 * $(BUILD)/libs and puts this file in place of that one.  Each section keeps
 * the upstream file's guards and its list of what it must define.
 *
 * The rules it keeps:
 *   - No C library: only the compiler's freestanding headers (<limits.h>,
 *     <stddef.h>, <stdint.h>), and the declarations of the four string
 *     functions <string.h> would give.  The copies go through the compiler's
 *     builtins, which become calls to the memcpy, memmove and memset of
 *     dom0's runtime (hypervisor/common/string.c), or of the host's C
 *     library in the host tests.
 *   - No allocator: ZSTD_malloc, ZSTD_calloc and ZSTD_free are never
 *     called, because backend/cluster_codec.c gives zstd only static
 *     workspaces (ZSTD_initStaticCCtx, ZSTD_initStaticDCtx); they are
 *     defined to fail (NULL), so a path that would allocate fails cleanly.
 *   - No assert and no debug output: DEBUGLEVEL stays 0.
 */

/* Need: NULL, INT_MAX, UINT_MAX, ZSTD_memcpy(), ZSTD_memset(), ZSTD_memmove() */
#ifndef ZSTD_DEPS_COMMON
#define ZSTD_DEPS_COMMON

#include <limits.h>
#include <stddef.h>

/* What <string.h> would declare: xxhash.h calls memset by name. */
void *memcpy(void *destination, const void *source, size_t length);
void *memmove(void *destination, const void *source, size_t length);
void *memset(void *destination, int value, size_t length);
int memcmp(const void *left, const void *right, size_t length);

#define ZSTD_memcpy(d, s, l) __builtin_memcpy((d), (s), (l))
#define ZSTD_memmove(d, s, l) __builtin_memmove((d), (s), (l))
#define ZSTD_memset(p, v, l) __builtin_memset((p), (v), (l))

/* xxhash.h (included after this file) takes C11's static_assert from <assert.h>: the keyword is the same. */
#ifndef XXH_STATIC_ASSERT
#define XXH_STATIC_ASSERT(c) do { _Static_assert((c), #c); } while (0)
#endif

#endif /* ZSTD_DEPS_COMMON */

/* Need: ZSTD_malloc(), ZSTD_free(), ZSTD_calloc() */
#ifdef ZSTD_DEPS_NEED_MALLOC
#ifndef ZSTD_DEPS_MALLOC
#define ZSTD_DEPS_MALLOC

#define ZSTD_malloc(s) ((void)(s), (void *)0)
#define ZSTD_calloc(n, s) ((void)(n), (void)(s), (void *)0)
#define ZSTD_free(p) ((void)(p))

#endif /* ZSTD_DEPS_MALLOC */
#endif /* ZSTD_DEPS_NEED_MALLOC */

/* Need: U64 ZSTD_div64(U64 dividend, U32 divisor) */
#ifdef ZSTD_DEPS_NEED_MATH64
#ifndef ZSTD_DEPS_MATH64
#define ZSTD_DEPS_MATH64

#define ZSTD_div64(dividend, divisor) ((dividend) / (divisor))

#endif /* ZSTD_DEPS_MATH64 */
#endif /* ZSTD_DEPS_NEED_MATH64 */

/* Need: assert() (used only when DEBUGLEVEL >= 1, which this build never sets) */
#ifdef ZSTD_DEPS_NEED_ASSERT
#ifndef ZSTD_DEPS_ASSERT
#define ZSTD_DEPS_ASSERT

#define assert(condition) ((void)0)

#endif /* ZSTD_DEPS_ASSERT */
#endif /* ZSTD_DEPS_NEED_ASSERT */

/* Need: ZSTD_DEBUG_PRINT() (used only when DEBUGLEVEL >= 2) */
#ifdef ZSTD_DEPS_NEED_IO
#ifndef ZSTD_DEPS_IO
#define ZSTD_DEPS_IO

#define ZSTD_DEBUG_PRINT(...) ((void)0)

#endif /* ZSTD_DEPS_IO */
#endif /* ZSTD_DEPS_NEED_IO */

/* Need: intptr_t */
#ifdef ZSTD_DEPS_NEED_STDINT
#ifndef ZSTD_DEPS_STDINT
#define ZSTD_DEPS_STDINT

#include <stdint.h>

#endif /* ZSTD_DEPS_STDINT */
#endif /* ZSTD_DEPS_NEED_STDINT */
