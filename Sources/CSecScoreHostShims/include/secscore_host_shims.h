// Process primitives the host needs that Swift cannot do safely on its own:
// a vfork-based spawn that runs only async-signal-safe calls in the child,
// and a signal-handler-safe registry of live plugin process groups.
#ifndef SECSCORE_HOST_SHIMS_H
#define SECSCORE_HOST_SHIMS_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One resource limit applied in the child before exec.
typedef struct ss_rlimit {
    int resource;
    unsigned long long soft;
    unsigned long long hard;
} ss_rlimit;

/// Spawns `path` (or, when `exec_fd` >= 0, the already opened file behind it,
/// so that what runs is what was hashed) in a new process group, with
/// `fd_in`, `fd_out`, `fd_err` as its 0, 1, 2, every other descriptor closed,
/// default signal dispositions and an empty signal mask, and `limits` set.
/// Returns 0 and fills `pid_out` (and `pidfd_out`, -1 when the kernel has no
/// pidfd) or returns an errno; `failed_step` names the step that failed.
int ss_spawn(const char *path, int exec_fd, char *const argv[], char *const envp[],
             int fd_in, int fd_out, int fd_err,
             const ss_rlimit *limits, int nlimits,
             pid_t *pid_out, int *pidfd_out, const char **failed_step);

/// A close-on-exec, non-blocking eventfd used to wake a poll loop; -1 on error.
int ss_eventfd(void);

/// Asks for a pipe buffer of `bytes` (F_SETPIPE_SZ); returns the size set,
/// or -1 (the default stays, e.g. above /proc/sys/fs/pipe-max-size).
int ss_set_pipe_size(int fd, int bytes);

/// Sets or clears O_NONBLOCK. Returns 0 or errno.
int ss_set_nonblocking(int fd, int on);

/// Remembers a live plugin process group so that SIGINT, SIGTERM, SIGHUP and
/// SIGQUIT to the host kill it before the host dies, once the termination
/// handlers are installed. Safe from any thread.
void ss_track_process_group(pid_t pgid);
void ss_untrack_process_group(pid_t pgid);

/// Installs handlers for SIGINT, SIGTERM, SIGHUP and SIGQUIT (once) that
/// SIGKILL every tracked group, then pass the signal on to the previous
/// handler or die of it. A signal ignored at install time stays ignored.
/// Process-wide: only a program's `main` should call it.
void ss_install_termination_handlers(void);

/// 1 once ss_install_termination_handlers has run, else 0.
int ss_termination_handlers_installed(void);

/// Ignores SIGPIPE unless the program chose a disposition of its own, so
/// that a write to a plugin that died fails with EPIPE instead of killing
/// the host.
void ss_ignore_sigpipe_if_default(void);

/// waitpid(pid, &status, WNOHANG or 0) that retries on EINTR. Returns the pid,
/// 0 when still running (nohang), or -1 with errno.
pid_t ss_wait(pid_t pid, int *status, int nohang);

/// Decodes a wait status: returns 1 and sets *code when exited normally,
/// 2 and sets *code to the signal when killed, 0 otherwise.
int ss_decode_status(int status, int *code);

/// Makes the calling process adopt its orphaned descendants (prctl's
/// PR_SET_CHILD_SUBREAPER), so the soak can see every process a run left
/// behind. Returns 0, or -1 with errno set.
int ss_become_subreaper(void);

#ifdef __cplusplus
}
#endif
#endif
