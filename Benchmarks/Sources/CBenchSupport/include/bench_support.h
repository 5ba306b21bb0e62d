#ifndef BENCH_SUPPORT_H
#define BENCH_SUPPORT_H
#include <stddef.h>

/* Round trips of `payload` bytes between this process and a forked child
 * over two pipes; fills samples_us[iterations] with each round trip in
 * microseconds. Returns 0 or an errno. */
int bench_pipe_pingpong(size_t payload, int warmup, int iterations, double *samples_us);

/* Pins every thread of this process (and the threads and processes they
 * start later) to one CPU, or with cpu < 0 lets them run on all. Returns 0
 * or an errno. */
int bench_pin(int cpu);

/* Number of CPUs online. */
int bench_cpus(void);

/* Peak resident set size of finished children, in KiB (RUSAGE_CHILDREN). */
long bench_children_max_rss_kib(void);
#endif
