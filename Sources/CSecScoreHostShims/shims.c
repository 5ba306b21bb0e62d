#define _GNU_SOURCE
#include "secscore_host_shims.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

int ss_set_pipe_size(int fd, int bytes) {
    return fcntl(fd, F_SETPIPE_SZ, bytes);
}

int ss_eventfd(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int ss_set_nonblocking(int fd, int on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return errno;
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags) == 0 ? 0 : errno;
}

/* The child side of ss_spawn. Runs between vfork and exec in memory shared
 * with the parent, so it only makes system calls and writes `errno_out` and
 * `step_out`, which the parent reads after the child has exec'd or exited. */
struct spawn_args {
    const char *path;
    int exec_fd;
    char *const *argv;
    char *const *envp;
    int fds[3];
    const ss_rlimit *limits;
    int nlimits;
    volatile int err;
    const char *volatile step;
};

static void child_fail(struct spawn_args *a, const char *step) {
    a->err = errno;
    a->step = step;
    _exit(127);
}

static void child(struct spawn_args *a) {
    /* Default dispositions for every signal the host handles or ignores. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction old;
        if (syscall(SYS_rt_sigaction, sig, NULL, &old, _NSIG / 8) == 0 &&
            old.sa_handler != SIG_DFL) {
            syscall(SYS_rt_sigaction, sig, &dfl, NULL, _NSIG / 8);
        }
    }
    if (setpgid(0, 0) != 0) child_fail(a, "setpgid");
    /* Move the three descriptors above 2 first so that dup2 cannot clobber
     * one source with another. */
    int moved[3];
    for (int i = 0; i < 3; i++) {
        moved[i] = fcntl(a->fds[i], F_DUPFD_CLOEXEC, 3);
        if (moved[i] < 0) child_fail(a, "dup");
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(moved[i], i) < 0) child_fail(a, "dup2");
    }
    int keep = -1;
    if (a->exec_fd >= 0) {
        /* A script run by descriptor needs the descriptor open across exec
         * (its interpreter opens /dev/fd/N); an ELF file does not. */
        keep = a->exec_fd;
    }
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        /* Older kernels: mark what we can find. */
        for (int fd = 3; fd < 65536; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (keep >= 0) {
        char magic[2] = {0, 0};
        if (pread(keep, magic, 2, 0) == 2 && magic[0] == '#' && magic[1] == '!') {
            fcntl(keep, F_SETFD, 0);
        }
    }
    for (int i = 0; i < a->nlimits; i++) {
        struct rlimit rl = {(rlim_t)a->limits[i].soft, (rlim_t)a->limits[i].hard};
        if (setrlimit(a->limits[i].resource, &rl) != 0) child_fail(a, "setrlimit");
    }
    sigset_t empty;
    sigemptyset(&empty);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, _NSIG / 8);
    if (a->exec_fd >= 0) {
        syscall(SYS_execveat, a->exec_fd, "", a->argv, a->envp, AT_EMPTY_PATH);
        child_fail(a, "execveat");
    }
    execve(a->path, a->argv, a->envp);
    child_fail(a, "execve");
}

int ss_spawn(const char *path, int exec_fd, char *const argv[], char *const envp[],
             int fd_in, int fd_out, int fd_err,
             const ss_rlimit *limits, int nlimits,
             pid_t *pid_out, int *pidfd_out, const char **failed_step) {
    struct spawn_args a = {
        .path = path, .exec_fd = exec_fd, .argv = argv, .envp = envp,
        .fds = {fd_in, fd_out, fd_err}, .limits = limits, .nlimits = nlimits,
        .err = 0, .step = NULL,
    };
    *pid_out = -1;
    *pidfd_out = -1;
    *failed_step = NULL;
    /* Block every signal so that no handler of the host's runs in the child
     * while it shares the host's memory. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = vfork();
    if (pid == 0) {
        child(&a);
        _exit(127);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        *failed_step = "vfork";
        return fork_errno;
    }
    if (a.err != 0) {
        int status;
        ss_wait(pid, &status, 0);
        *failed_step = a.step;
        return a.err;
    }
    /* Also set the group from the parent: closes the window in which a
     * signal to the group could miss a child that has not run setpgid. */
    setpgid(pid, pid);
    ss_track_process_group(pid);
    *pid_out = pid;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    *pidfd_out = pidfd;
    return 0;
}

pid_t ss_wait(pid_t pid, int *status, int nohang) {
    pid_t r;
    do {
        r = waitpid(pid, status, nohang ? WNOHANG : 0);
    } while (r < 0 && errno == EINTR);
    return r;
}

int ss_decode_status(int status, int *code) {
    if (WIFEXITED(status)) { *code = WEXITSTATUS(status); return 1; }
    if (WIFSIGNALED(status)) { *code = WTERMSIG(status); return 2; }
    return 0;
}

/* ---- The registry of live process groups ---------------------------------
 * A fixed table of atomics: the signal handler walks it without locks. */
#define SS_MAX_GROUPS 4096
static _Atomic pid_t groups[SS_MAX_GROUPS];

void ss_track_process_group(pid_t pgid) {
    for (int i = 0; i < SS_MAX_GROUPS; i++) {
        pid_t expected = 0;
        if (atomic_compare_exchange_strong(&groups[i], &expected, pgid)) return;
    }
}

void ss_untrack_process_group(pid_t pgid) {
    for (int i = 0; i < SS_MAX_GROUPS; i++) {
        pid_t expected = pgid;
        if (atomic_compare_exchange_strong(&groups[i], &expected, 0)) return;
    }
}

static struct sigaction previous[NSIG];
static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void on_termination_signal(int sig, siginfo_t *info, void *ctx) {
    int saved = errno;
    for (int i = 0; i < SS_MAX_GROUPS; i++) {
        pid_t g = atomic_load(&groups[i]);
        if (g > 0) kill(-g, SIGKILL);
    }
    struct sigaction *prev = &previous[sig];
    if ((prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction != NULL) {
        prev->sa_sigaction(sig, info, ctx);
    } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN &&
               prev->sa_handler != NULL) {
        prev->sa_handler(sig);
    } else if (prev->sa_handler == SIG_DFL) {
        /* Die of the same signal, as the caller of the host expects. */
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
    }
    errno = saved;
}

static atomic_int installed;

void ss_install_termination_handlers(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&installed, &expected, 1)) return;
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++) {
        int sig = handled[i];
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_termination_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigfillset(&sa.sa_mask);
        sigaction(sig, &sa, &previous[sig]);
        if (!(previous[sig].sa_flags & SA_SIGINFO) && previous[sig].sa_handler == SIG_IGN) {
            /* The host was told to ignore it (nohup): keep ignoring. */
            sigaction(sig, &previous[sig], NULL);
        }
    }
}

int ss_termination_handlers_installed(void) {
    return atomic_load(&installed);
}

void ss_ignore_sigpipe_if_default(void) {
    struct sigaction current;
    if (sigaction(SIGPIPE, NULL, &current) != 0) return;
    if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_DFL) {
        signal(SIGPIPE, SIG_IGN);
    }
}

int ss_become_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}
