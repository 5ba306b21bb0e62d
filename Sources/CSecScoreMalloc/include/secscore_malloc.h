#ifndef SECSCORE_MALLOC_H
#define SECSCORE_MALLOC_H

#include <stddef.h>

/// Sets glibc malloc's M_MMAP_THRESHOLD to `heap_block_bytes` and
/// M_TRIM_THRESHOLD to `kept_top_bytes` (mallopt(3)); Swift's Glibc module
/// does not export <malloc.h>. Returns 1 when both were set, 0 otherwise
/// (including on a C library that is not glibc).
int ss_malloc_keep_large_blocks(int heap_block_bytes, int kept_top_bytes);

#endif
