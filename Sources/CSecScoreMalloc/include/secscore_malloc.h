#ifndef SECSCORE_MALLOC_H
#define SECSCORE_MALLOC_H

#include <stddef.h>

/// Sets glibc malloc's M_MMAP_THRESHOLD to `heap_block_bytes`,
/// M_TRIM_THRESHOLD to `kept_top_bytes` and M_TOP_PAD to `top_pad_bytes`
/// (mallopt(3)); Swift's Glibc module does not export <malloc.h>. Returns 1
/// when all three were set, 0 otherwise (including on a C library that is
/// not glibc).
int ss_malloc_keep_large_blocks(int heap_block_bytes, int kept_top_bytes, int top_pad_bytes);

/// Sets glibc malloc's M_ARENA_MAX to `arenas` (mallopt(3)). Returns 1 when
/// set, 0 otherwise.
int ss_malloc_arena_max(int arenas);

#endif
