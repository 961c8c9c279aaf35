/*
 * The daemon's health and repair commands: /bin/sh -c CMD beside the feeding
 * loop, in a clean child. SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* What a child must not see: the broker's secrets and systemd's notify
 * socket (a check that wrote to it could claim READY or WATCHDOG for us). */
static const char *const hidden_env[] = {"EXTWD_MQTT_", "NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=",
                                         NULL};

static int hidden(const char *entry)
{
    for (size_t i = 0; hidden_env[i]; i++)
        if (!strncmp(entry, hidden_env[i], strlen(hidden_env[i])))
            return 1;
    return 0;
}

int ctl_child_env_init(struct ctl_child_env *e)
{
    size_t n = 0;
    for (char **p = environ; *p; p++)
        n++;
    e->envp = calloc(n + 1, sizeof *e->envp);
    if (!e->envp)
        return -1;
    size_t k = 0;
    for (char **p = environ; *p; p++)
        if (!hidden(*p))
            e->envp[k++] = *p;
    e->envp[k] = NULL;
    return 0;
}

void ctl_child_env_free(struct ctl_child_env *e)
{
    free(e->envp);
    e->envp = NULL;
}

/* Only async-signal-safe calls from here to the exec: the daemon may have
 * threads (libmosquitto's), whose locks a fork copies in any state. */
static void close_from_3(void)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 ? max : 1024); fd++)
        close((int)fd);
}

static void default_signals(void)
{
    /* The raw system call: glibc's sigaction refuses its two reserved
     * real-time signals, which an ignoring parent leaves ignored. The
     * kernel's struct (handler, flags, restorer, mask) all zero is SIG_DFL
     * with no flags and an empty mask. */
    uint64_t kact[4] = {0, 0, 0, 0}; /* larger than any architecture's struct */
    for (int sig = 1; sig < NSIG; sig++)
        (void)syscall(SYS_rt_sigaction, sig, kact, NULL, (size_t)8); /* KILL and STOP refuse harmlessly */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

pid_t ctl_child_spawn(const struct ctl_child_env *e, const char *cmd)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* its own group, so a hung check dies with all its children */
        default_signals();
        close_from_3();
        char *const argv[] = {"sh", "-c", (char *)cmd, NULL};
        execve("/bin/sh", argv, e->envp);
        _exit(127);
    }
    if (pid > 0)
        setpgid(pid, pid);
    return pid;
}

void ctl_job_start(struct ctl_job *j, const struct ctl_child_env *e, const char *cmd, uint32_t now)
{
    j->pid = ctl_child_spawn(e, cmd);
    j->start_ms = now;
}

int ctl_job_poll(struct ctl_job *j, uint32_t now, uint32_t timeout_ms, int *code)
{
    if (j->dying > 0 && waitpid(j->dying, NULL, WNOHANG) != 0)
        j->dying = -1;
    if (j->pid <= 0)
        return 0;
    int status;
    pid_t w = waitpid(j->pid, &status, WNOHANG);
    if (w == j->pid) {
        j->pid = -1;
        *code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        return 1;
    }
    if (now - j->start_ms < timeout_ms)
        return 0;
    /* Killed, and reaped on a later turn: a process stuck in the kernel
     * (a hung NFS mount) must not hold up the feed. */
    kill(-j->pid, SIGKILL);
    if (j->dying > 0)
        (void)waitpid(j->dying, NULL, WNOHANG);
    j->dying = j->pid;
    j->pid = -1;
    *code = CTL_JOB_TIMEOUT;
    return 1;
}

void ctl_job_kill(struct ctl_job *j)
{
    pid_t pids[2] = {j->pid, j->dying};
    for (int i = 0; i < 2; i++)
        if (pids[i] > 0) {
            kill(-pids[i], SIGKILL);
            waitpid(pids[i], NULL, 0);
        }
    j->pid = j->dying = -1;
}
