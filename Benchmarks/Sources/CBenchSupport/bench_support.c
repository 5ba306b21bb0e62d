#define _GNU_SOURCE
#include <fcntl.h>
#include "bench_support.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int full(int fd, char *p, size_t n, int writing) {
    while (n > 0) {
        ssize_t r = writing ? write(fd, p, n) : read(fd, p, n);
        if (r > 0) { p += r; n -= (size_t)r; continue; }
        if (r < 0 && errno == EINTR) continue;
        return -1;
    }
    return 0;
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int bench_pipe_pingpong(size_t payload, int warmup, int iterations, double *samples_us) {
    int up[2], down[2];
    if (pipe(up) || pipe(down)) return errno;
    /* The same 1 MiB pipe buffers the host asks for its plugins, so the
     * baseline is the best the kernel can do, not a smaller pipe. */
    fcntl(up[0], F_SETPIPE_SZ, 1 << 20);
    fcntl(down[0], F_SETPIPE_SZ, 1 << 20);
    char *buf = malloc(payload ? payload : 1);
    memset(buf, 'x', payload);
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) {
        close(up[1]);
        close(down[0]);
        for (int i = 0; i < warmup + iterations; i++) {
            if (full(up[0], buf, payload, 0) || full(down[1], buf, payload, 1)) _exit(1);
        }
        _exit(0);
    }
    close(up[0]);
    close(down[1]);
    for (int i = 0; i < warmup + iterations; i++) {
        double t0 = now_us();
        if (full(up[1], buf, payload, 1) || full(down[0], buf, payload, 0)) break;
        if (i >= warmup) samples_us[i - warmup] = now_us() - t0;
    }
    close(up[1]);
    close(down[0]);
    int status;
    waitpid(pid, &status, 0);
    free(buf);
    return 0;
}

int bench_pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu >= 0) {
        CPU_SET(cpu, &set);
    } else {
        for (int i = 0; i < CPU_SETSIZE && i < sysconf(_SC_NPROCESSORS_ONLN); i++) CPU_SET(i, &set);
    }
    // Every thread of the process, not only the caller: async code resumes
    // on any thread of the concurrency pool, and a plugin inherits the mask
    // of whichever thread spawned it. (Pinning the caller alone left the
    // Swift plugin of the rpc suite's "pinned" runs free to run on either
    // CPU.) Threads started later inherit the mask of their creator.
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL) return errno;
    int failure = 0;
    struct dirent *entry;
    while ((entry = readdir(tasks)) != NULL) {
        pid_t tid = (pid_t)atoi(entry->d_name);
        if (tid > 0 && sched_setaffinity(tid, sizeof set, &set) != 0 && errno != ESRCH) failure = errno;
    }
    closedir(tasks);
    return failure;
}

int bench_cpus(void) { return (int)sysconf(_SC_NPROCESSORS_ONLN); }

long bench_children_max_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return ru.ru_maxrss;
}
