#include "secscore_malloc.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

int ss_malloc_keep_large_blocks(int heap_block_bytes, int kept_top_bytes, int top_pad_bytes) {
#ifdef __GLIBC__
    int a = mallopt(M_MMAP_THRESHOLD, heap_block_bytes);
    int b = mallopt(M_TRIM_THRESHOLD, kept_top_bytes);
    int c = mallopt(M_TOP_PAD, top_pad_bytes);
    return a == 1 && b == 1 && c == 1;
#else
    (void)heap_block_bytes;
    (void)kept_top_bytes;
    (void)top_pad_bytes;
    return 0;
#endif
}

int ss_malloc_arena_max(int arenas) {
#ifdef __GLIBC__
    return mallopt(M_ARENA_MAX, arenas) == 1;
#else
    (void)arenas;
    return 0;
#endif
}
